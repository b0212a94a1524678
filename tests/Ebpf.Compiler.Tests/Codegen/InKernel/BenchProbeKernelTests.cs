using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Every C# probe of the code-quality bench (bench/codegen/probes) compiles without an error or warning and loads into
/// the kernel, as bench/codegen/run.sh needs: the bench is run by hand, so without this a compiler change that refuses
/// one of its probes (a rule too strict, a new diagnostic) would show only when the table is next made.</summary>
public class BenchProbeKernelTests
{
    static readonly string ProbeDir = RepoPaths.Combine("bench", "codegen", "probes");
    static readonly Lazy<string> TaskStruct = new(() => VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["task_struct"]));

    public static TheoryData<string> Names => new(Directory.GetFiles(ProbeDir, "*.cs").Select(Path.GetFileNameWithoutExtension).Order()!);

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Bench_probe_compiles_cleanly_and_loads(string name)
    {
        Kernel.RequireBpf();
        var source = File.ReadAllText(Path.Combine(ProbeDir, name + ".cs"));
        var files = new List<(string, string)> { (source, name + ".cs") };
        if (source.Contains("using Vmlinux;", StringComparison.Ordinal)) files.Add((TaskStruct.Value, "Vmlinux.g.cs"));
        var result = BpfCompiler.CompileSources(files, new BpfCompilerOptions());
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);
        foreach (var compiled in result.Objects)
            using (Collection.Load(compiled.Spec)) { }
    }
}
