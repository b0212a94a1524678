using Ebpf.TestSupport;
using System.Runtime.InteropServices;
using Ebpf.Compiler.Pipeline;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>Ebpf.Sdk and IDEs compile probes against the targeting pack's reference assemblies, whose private fields
/// are placeholders (<c>Span&lt;T&gt;</c> has an <c>object _dummy</c>), not against the runtime's own: a probe must
/// compile to the same object either way.</summary>
public class ReferenceAssemblyTests
{
    /// <summary>Microsoft.NETCore.App.Ref's assemblies for the running runtime's major version.</summary>
    static IEnumerable<string> TargetingPack()
    {
        string dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var major = Environment.Version.Major;
        var pack = Directory.GetDirectories(Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"), $"{major}.*")
            .OrderBy(d => Version.Parse(Path.GetFileName(d).Split('-')[0])).Last();
        return Directory.GetFiles(Path.Combine(pack, "ref", $"net{major}.0"), "*.dll");
    }

    [Fact]
    public void A_probe_with_span_locals_compiles_against_reference_assemblies_to_the_object_it_compiles_to_against_the_runtime()
    {
        var source = (File.ReadAllText(RepoPaths.Combine("bench", "codegen", "probes", "raw_comm_hash.cs")), "raw_comm_hash.cs");
        var runtime = BpfCompiler.CompileSources([source]);
        Assert.DoesNotContain(runtime.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);

        var options = new BpfCompilerOptions();
        var diagnostics = new List<Diagnostic>();
        var compilation = BpfCompiler.CreateCompilation([source], options, diagnostics);
        var references = TargetingPack().Append(typeof(Ebpf.XdpAction).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
        Assert.Contains(references, r => Path.GetFileName(r.Display) == "System.Runtime.dll");
        var againstReferences = BpfCompiler.Compile(compilation.WithReferences(references), options);

        Assert.Empty(againstReferences.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        Assert.Equal(runtime.Objects.Single().Elf, againstReferences.Objects.Single().Elf);
    }
}
