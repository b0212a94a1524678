using System.Diagnostics;
using Ebpf.Abi;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Abi;

/// <summary>Each kernel ABI rule catches a real rejection: the probe it reports, compiled with the rule switched
/// off, is refused by a kernel's verifier for the reason the rule gives (this machine's 6.18 for the license and
/// program-type rules; Debian's 6.1 under qemu for the target-kernel rule), and the valid probes load.</summary>
public class HelperRuleKernelTests
{
    static Ebpf.Object.ObjectSpec Compile(string source, KernelVersion? target = null, params string[] disabled)
    {
        var options = new BpfCompilerOptions { TargetKernel = target, DisabledRules = disabled };
        var result = BpfCompiler.CompileSources(new[] { (source, "Probe.cs") }, options);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    static string Strip(string markup) => Diagnostics.Markup.Parse(markup).Source;

    [Fact]
    public void Gpl_only_helper_under_MIT_with_EBPF2301_off_is_refused_by_the_6_18_verifier()
    {
        Kernel.RequireBpf();
        var spec = Compile(Strip(HelperRuleTests.Probe("Bpf.Printk(\"hi\");", license: "MIT")), disabled: "EBPF2301");
        var error = Assert.Throws<VerifierException>(() => Collection.Load(spec).Dispose());
        Assert.Contains("cannot call GPL-restricted function", error.Log);
    }

    [Fact]
    public void Gpl_only_helper_under_Dual_BSD_GPL_loads_on_6_18()
    {
        Kernel.RequireBpf();
        using var loaded = Collection.Load(Compile(HelperRuleTests.Probe("Bpf.Printk(\"hi\");", license: "Dual BSD/GPL")));
    }

    [Fact]
    public void Helper_the_program_type_lacks_with_EBPF2302_off_is_refused_by_the_6_18_verifier()
    {
        Kernel.RequireTracefs();
        var source = Strip(HelperRuleTests.Probe("_ = Bpf.KtimeGetCoarseNs();", attribute: "[Tracepoint(\"syscalls\", \"sys_enter_openat\")]", context: "in Args", result: "int", ret: "0"));
        var error = Assert.Throws<VerifierException>(() => Collection.Load(Compile(source, disabled: "EBPF2302")).Dispose());
        Assert.True(error.Log.Contains("bpf_ktime_get_coarse_ns#160"), error.Log);
        Assert.True(error.Log.Contains("unknown func") || error.Log.Contains("cannot use helper"), error.Log);
    }

    /// <summary>Built for 6.1: the probe EBPF2303 reports (with the rule off) is refused by Debian's 6.1 ("unknown func")
    /// and loads on 6.12; the valid probes built for 6.1 load on both (scripts/verify-on-older-kernels.sh, qemu).</summary>
    [Fact]
    public void Built_for_6_1_the_EBPF2303_probe_fails_on_6_1_and_the_valid_probes_load_on_6_1_and_6_12_under_qemu()
    {
        Kernel.RequireBpf();
        var target = new KernelVersion(6, 1);
        var dir = Directory.CreateTempSubdirectory("ebpf-helpers-older-");
        try
        {
            void Write(string name, Ebpf.Object.ObjectSpec spec) => File.WriteAllBytes(Path.Combine(dir.FullName, name + ".bpf.o"), ElfObjectWriter.Write(spec));
            Write("PidOnXdp", Compile(Strip(HelperRuleTests.Probe("_ = Bpf.GetCurrentPidTgid();")).Replace("class Probe", "class PidOnXdp"), target, "EBPF2303"));
            Write("ValidXdp", Compile(HelperRuleTests.Probe("""
                ulong now = Bpf.KtimeGetNs();
                Counts.Update((uint)(now & 3), now);
                ref ulong seen = ref Counts.Lookup(1u);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref seen)) Bpf.Printk("seen %llu", seen);
                """, license: "Dual BSD/GPL").Replace("class Probe", "class ValidXdp"), target));
            Write("ValidTracepoint", Compile(HelperRuleTests.Probe("""
                ulong id = Bpf.GetCurrentPidTgid();
                Counts.Update((uint)(id >> 32), Bpf.KtimeGetNs());
                """, attribute: "[Tracepoint(\"syscalls\", \"sys_enter_openat\")]", context: "in Args", result: "int", ret: "0").Replace("class Probe", "class ValidTracepoint"), target));

            var output = RunScript(Directory.GetFiles(dir.FullName, "*.bpf.o").Order().ToArray());
            var kernels = output.Split("KERNEL ", StringSplitOptions.RemoveEmptyEntries).Where(k => k.Contains("DONE")).ToList();
            Assert.True(kernels.Count == 2, output);
            var on61 = kernels.Single(k => k.StartsWith("6.1.", StringComparison.Ordinal));
            var on612 = kernels.Single(k => k.StartsWith("6.12.", StringComparison.Ordinal));
            Assert.Contains("REJECTED PidOnXdp", on61);
            Assert.Contains("unknown func bpf_get_current_pid_tgid#14", on61);
            Assert.Contains("LOADED ValidXdp", on61);
            Assert.Contains("LOADED ValidTracepoint", on61);
            Assert.Contains("LOADED PidOnXdp", on612);
            Assert.Contains("LOADED ValidXdp", on612);
            Assert.Contains("LOADED ValidTracepoint", on612);
        }
        finally { dir.Delete(recursive: true); }
    }

    static string RunScript(string[] objects)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepoPaths.Combine("scripts", "verify-on-older-kernels.sh"));
        foreach (var o in objects) start.ArgumentList.Add(o);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return stdout.Result + stderr.Result;
    }
}
