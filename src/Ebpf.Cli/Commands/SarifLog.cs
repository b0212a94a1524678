using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;

namespace Ebpf.Cli.Commands;

/// <summary>Writes diagnostics as a SARIF 2.1.0 log (the format of the compilers' <c>/errorlog</c>), one run of
/// the <c>ebpf</c> tool with a rule per reported ID and its help link.</summary>
static class SarifLog
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static void Write(string path, IEnumerable<Diagnostic> diagnostics)
    {
        var list = diagnostics.ToList();
        var rules = new JsonArray();
        foreach (var d in list.Select(d => d.Descriptor).GroupBy(d => d.Id).Select(g => g.First()).OrderBy(d => d.Id, StringComparer.Ordinal))
            rules.Add((JsonNode)new JsonObject
            {
                ["id"] = d.Id,
                ["shortDescription"] = new JsonObject { ["text"] = d.Title.ToString() },
                ["helpUri"] = d.HelpLinkUri,
                ["properties"] = new JsonObject { ["category"] = d.Category },
            });
        var results = new JsonArray();
        foreach (var d in list)
        {
            var result = new JsonObject
            {
                ["ruleId"] = d.Id,
                ["level"] = d.Severity switch
                {
                    DiagnosticSeverity.Error => "error",
                    DiagnosticSeverity.Warning => "warning",
                    DiagnosticSeverity.Info => "note",
                    DiagnosticSeverity.Hidden => "none",
                    _ => "none",
                },
                ["message"] = new JsonObject { ["text"] = d.GetMessage() },
            };
            var span = d.Location.GetLineSpan();
            if (span.IsValid && !string.IsNullOrEmpty(span.Path))
                result["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject
                    {
                        ["artifactLocation"] = new JsonObject { ["uri"] = new Uri(Path.GetFullPath(span.Path)).AbsoluteUri },
                        ["region"] = new JsonObject
                        {
                            ["startLine"] = span.StartLinePosition.Line + 1,
                            ["startColumn"] = span.StartLinePosition.Character + 1,
                            ["endLine"] = span.EndLinePosition.Line + 1,
                            ["endColumn"] = span.EndLinePosition.Character + 1,
                        },
                    },
                });
            results.Add((JsonNode)result);
        }
        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject { ["driver"] = new JsonObject { ["name"] = "ebpf", ["informationUri"] = "docs/diagnostics.md", ["rules"] = rules } },
                ["results"] = results,
            }),
        };
        File.WriteAllText(path, log.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
