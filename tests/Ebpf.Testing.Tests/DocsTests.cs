using System.Text.RegularExpressions;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Testing.Tests;

/// <summary>docs/testing.md stays true: its ```csharp blocks compile together against Ebpf.Testing, the kernel API and
/// xunit, and its probes compile with our compiler.</summary>
public partial class DocsTests
{
    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    static List<string> Blocks() => CSharpBlock().Matches(File.ReadAllText(RepoPaths.Combine("docs", "testing.md")).Replace("\r\n", "\n"))
        .Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void Every_csharp_block_of_testing_md_compiles()
    {
        var blocks = Blocks();
        Assert.True(blocks.Count >= 5, $"only {blocks.Count} csharp blocks");
        var trees = blocks.Select((b, i) => CSharpSyntaxTree.ParseText(b, new CSharpParseOptions(LanguageVersion.Preview), $"testing.md#{i}")).ToList();
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var references = tpa.Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .GroupBy(Path.GetFileName).Select(g => g.First())
            .Select(p => { try { return (MetadataReference?)MetadataReference.CreateFromFile(p); } catch (BadImageFormatException) { return null; } })
            .OfType<MetadataReference>().ToList();
        var compilation = CSharpCompilation.Create("Docs", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void The_probes_of_testing_md_compile_to_eBPF()
    {
        var probes = Blocks().Where(b => b.Contains("[BpfObject]")).ToList();
        Assert.True(probes.Count >= 5);
        foreach (var probe in probes)
        {
            // Only the probe part: the test classes reference Ebpf.Testing, which the eBPF compiler does not need.
            var source = Regex.Replace(probe, @"public class \w+Tests\s*\{.*\z", "", RegexOptions.Singleline)
                .Replace("using Ebpf.Testing.Maps;\n", "").Replace("using Ebpf.Testing;\n", "").Replace("using Xunit;\n", "");
            var spec = Programs.ProbeCompiler.Compile(source, "Doc.cs");
            Assert.NotEmpty(BpfTestHost.Load(spec).Programs);
        }
    }
}
