using System.Text.RegularExpressions;
using Ebpf.Compiler.Pipeline;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Verifier;

/// <summary>The wrong and right examples of each flow-rule section of docs/diagnostics.md compile as the body
/// of a probe (<see cref="FlowProbes.Probe"/>): the wrong one gives its ID, the right one nothing.</summary>
public class VerifierDocsTests
{
    public static TheoryData<string> Ids => new("EBPF2103", "EBPF2106", "EBPF2107", "EBPF2108", "EBPF2109", "EBPF2110", "EBPF2111");

    [Theory]
    [MemberData(nameof(Ids))]
    public void Wrong_example_gives_the_id_and_right_example_compiles_clean(string id)
    {
        var doc = File.ReadAllText(RepoPaths.Combine("docs", "diagnostics.md"));
        int start = doc.IndexOf($"<a id=\"{id.ToLowerInvariant()}\"></a>", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section for {id}");
        int end = doc.IndexOf("<a id=", start + 10, StringComparison.Ordinal);
        var blocks = Regex.Matches(doc[start..end], "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        var wrong = Assert.Single(blocks, b => b.StartsWith("// wrong", StringComparison.Ordinal));
        var right = Assert.Single(blocks, b => b.StartsWith("// right", StringComparison.Ordinal));

        var bad = Compile(wrong);
        Assert.Contains(bad.Diagnostics, d => d.Id == id);
        var good = Compile(right);
        Assert.True(good.Success && good.Diagnostics.Count == 0, string.Join("\n", good.Diagnostics));
    }

    static BpfCompileResult Compile(string body)
        => BpfCompiler.CompileSources(new[] { (FlowProbes.Probe(body, tracepoint: body.Contains("args.", StringComparison.Ordinal)), "Doc.cs") }, new BpfCompilerOptions());
}
