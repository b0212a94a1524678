using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Verifier;

/// <summary>The flow rules against the verifiers of the kernels users run (Debian's 6.1 and 6.12, booted under
/// qemu by scripts/verify-on-older-kernels.sh): the valid corpus loads there, and a rule whose rejection 6.18
/// forgives still catches a program 6.1 refuses.</summary>
public class OlderKernelFlowTests
{
    static ExternalTool.Result VerifyOnOlderKernels(params string[] objects) =>
        ExternalTool.RunWithTimeout("bash", TimeSpan.FromMinutes(10), [RepoPaths.Combine("scripts", "verify-on-older-kernels.sh"), .. objects]);

    static string WriteObject(string source, string name, params string[] disabled)
    {
        var result = BpfCompiler.CompileSources(new[] { (source, "Probe.cs") }, new BpfCompilerOptions { DisabledRules = disabled });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var dir = Directory.CreateTempSubdirectory("verifier-flow-").FullName;
        var path = Path.Combine(dir, name + ".bpf.o");
        File.WriteAllBytes(path, Assert.Single(result.Objects).Elf);
        return path;
    }

    /// <summary>An array-map value copied out without a check: 6.18 knows a constant in-range key finds a
    /// value and accepts it; 6.1 refuses the unchecked pointer. EBPF2106 reports it regardless.</summary>
    [SkippableFact]
    public void Unchecked_array_lookup_that_6_18_forgives_is_rejected_by_6_1_without_EBPF2106()
    {
        Kernel.RequireBpf();
        var source = Markup.Parse(FlowProbes.Invalid.Single(p => p.Name == "Lookup_copied_out_unchecked").Markup).Source;
        var obj = WriteObject(source, "flowoff2106", "EBPF2106");
        using (var here = Collection.LoadFile(obj)) Assert.Single(here.Programs);
        var result = VerifyOnOlderKernels(obj);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"KERNEL 6\.1\.[^\n]*\nREJECTED flowoff2106", result.StdOut);
        Assert.Contains("map_value_or_null", result.StdOut);
    }

    [SkippableFact]
    public void Every_valid_probe_loads_on_6_1_and_6_12()
    {
        Kernel.RequireBpf();
        var objects = FlowProbes.Valid.Select((p, i) => WriteObject(p.Source, $"valid{i:D2}")).ToArray();
        var result = VerifyOnOlderKernels(objects);
        Assert.True(result.ExitCode == 0, result.Combined);
        var kernels = result.StdOut.Split("KERNEL ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, kernels.Length);
        foreach (var kernel in kernels)
            for (int i = 0; i < objects.Length; i++)
                Assert.Contains($"LOADED valid{i:D2}: Run", kernel);
    }
}
