using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>Typed kernel variables from C#: <c>[Ksym]</c> fields compile to <c>ld_imm64</c> against undefined symbols with
/// an extern VAR of the declared type in the <c>.ksyms</c> DATASEC, as clang emits <c>extern const struct rq runqueues
/// __ksym;</c>; our runtime and libbpf (bpftool) point them at the kernel's variables (BPF_PSEUDO_BTF_ID), and the
/// program reads the per-CPU <c>runqueues</c> through <c>bpf_per_cpu_ptr</c>/<c>bpf_this_cpu_ptr</c>: every CPU's
/// <c>rq->cpu</c> is that CPU's number. The kernel finds a ksym's address in kallsyms, which lists variables only with
/// CONFIG_KALLSYMS_ALL; without it (this machine's 6.18) the verifier refuses every typed ksym after checking its BTF id,
/// and the tests show that our runtime and libbpf resolve the same ids and get the same refusal. The managed simulation
/// has no kernel variables, so the values are checked against what user space knows, not against a .NET run.</summary>
public class KsymKernelTests
{
    internal const string Probe = """
        using Ebpf;
        using Vmlinux;

        public struct Query { public uint Cpu; public uint Unused; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class RunQueues
        {
            [Ksym] static readonly rq runqueues;
            [Ksym(Name = "bpf_prog_active")] static readonly int ProgActive;

            static long CpuOfAsked;
            static long CpuOfThis;
            static long ThisCpu;
            static long Active;

            [Xdp]
            static XdpAction Read(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Query query)) return XdpAction.Aborted;
                rq* asked = Bpf.PerCpuPtr(in runqueues, query.Cpu);
                CpuOfAsked = asked == null ? -1 : asked->cpu;
                CpuOfThis = Bpf.ThisCpuPtr(in runqueues)->cpu;
                ThisCpu = Bpf.GetSmpProcessorId();
                Bpf.ProbeReadKernel(out int active, Bpf.ThisCpuPtr(in ProgActive));
                Active = active;
                return XdpAction.Pass;
            }
        }
        """;

    static readonly Lazy<string> RunQueue = new(() => VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["rq"]));

    static ObjectSpec Compile()
    {
        var result = BpfCompiler.CompileSources([(Probe, "RunQueues.cs"), (RunQueue.Value, "Vmlinux.g.cs")]);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    [Fact]
    public void Ksym_fields_are_extern_vars_in_ksyms_and_ld_imm64_relocations_as_clang_emits_them()
    {
        var spec = Compile();
        var read = spec.Programs.Single(p => p.Name == "Read");
        Assert.Equal(["bpf_prog_active", "runqueues"], read.Relocations.Where(r => r.Kind == RelocationKind.Ksym).Select(r => r.Symbol).Distinct().Order());
        Assert.All(read.Relocations.Where(r => r.Kind == RelocationKind.Ksym), r => Assert.True(read.Instructions[r.InstructionIndex].IsWide));
        var ksyms = spec.Btf!.FindType<BtfDatasec>(".ksyms")!;
        Assert.Equal(["bpf_prog_active", "runqueues"], ksyms.Variables.Select(v => v.Var.Name).Order());
        Assert.All(ksyms.Variables, v => Assert.Equal(BtfVarLinkage.GlobalExtern, v.Var.Linkage));
        var runqueues = ksyms.Variables.Single(v => v.Var.Name == "runqueues").Var;
        Assert.Equal("rq", Assert.IsType<BtfStruct>(BtfLayout.SkipQualifiers(runqueues.Type)).Name);
        Assert.DoesNotContain(spec.DataSections.SelectMany(d => d.BtfDatasec?.Variables ?? []), v => v.Var.Name is "runqueues" or "ProgActive");

        // The written object read back (undefined symbols, R_BPF_64_64 on the ld_imm64s) gives the same references.
        var path = Path.Combine(Directory.CreateTempSubdirectory("ebpf-ksym-").FullName, "RunQueues.bpf.o");
        ElfObjectWriter.WriteFile(spec, path);
        var reread = ElfObjectReader.ReadFile(path).Programs.Single(p => p.Name == "Read");
        Assert.Equal(read.Relocations.Where(r => r.Kind == RelocationKind.Ksym), reread.Relocations.Where(r => r.Kind == RelocationKind.Ksym));
    }

    /// <summary>The kernel finds a typed ksym's address with kallsyms_lookup_name, which knows variables only with
    /// CONFIG_KALLSYMS_ALL: without it (this machine) every typed ksym is refused.</summary>
    static bool KallsymsHasVariables => File.ReadLines("/proc/kallsyms").Any(l => l.EndsWith(" runqueues", StringComparison.Ordinal));

    /// <summary>One test for both kinds of kernel, so it runs (and can fail) on each: with CONFIG_KALLSYMS_ALL the per-CPU
    /// runqueues are read; without it (this bench) our runtime and libbpf must point the verifier at the same VARs and
    /// get the same refusal.</summary>
    [SkippableFact]
    public void Typed_ksyms_read_each_cpus_runqueue_or_without_KALLSYMS_ALL_are_refused_as_libbpfs_are_after_the_same_VAR_ids()
    {
        Kernel.RequireBpf();
        if (KallsymsHasVariables) PerCpuRunqueuesGiveEachCpusNumber();
        else OurRuntimeAndLibbpfResolveTheSameVarIdsAndTheVerifierRefusesOnlyTheAddress();
    }

    static void PerCpuRunqueuesGiveEachCpusNumber()
    {
        var spec = Compile();
        int cpus = Environment.ProcessorCount;
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "ksym_cs" });
        Assert.True(collection.Warnings.Count == 0, string.Join("\n", collection.Warnings));
        var program = collection.GetProgram("Read");
        foreach (uint cpu in Enumerable.Range(0, cpus).Select(c => (uint)c).Append(1u << 20))
        {
            var packet = new byte[16];   // XDP test runs want at least an Ethernet header
            BitConverter.TryWriteBytes(packet, cpu);
            Assert.Equal((uint)XdpAction.Pass, program.TestRun(new TestRunOptions { Data = packet }).ReturnValue);
            // bpf_per_cpu_ptr gives NULL past the possible CPUs.
            Assert.Equal(cpu < cpus ? cpu : -1L, collection.ReadVariable<long>("CpuOfAsked"));
            Assert.Equal(collection.ReadVariable<long>("ThisCpu"), collection.ReadVariable<long>("CpuOfThis"));
            Assert.InRange(collection.ReadVariable<long>("ThisCpu"), 0, cpus - 1);
            // No tracing program runs on this CPU while an XDP test run does: its bpf_prog_active is 0.
            Assert.Equal(0L, collection.ReadVariable<long>("Active"));
        }
    }

    static void OurRuntimeAndLibbpfResolveTheSameVarIdsAndTheVerifierRefusesOnlyTheAddress()
    {
        var spec = Compile();
        // The verifier checked the ld_imm64's BTF id (a VAR of vmlinux, else "invalid btf_id" or "isn't KIND_VAR") and then
        // looked its name up in kallsyms: the message names the variable our runtime pointed it at.
        var ours = Assert.Throws<VerifierException>(() => Collection.Load(spec, new CollectionOptions { ObjectName = "ksym_cs" }).Dispose());
        Assert.Contains("ldimm64 failed to find the address for kernel symbol 'runqueues'", ours.Message);

        var dir = Directory.CreateTempSubdirectory("ebpf-ksym-bpftool-").FullName;
        var path = Path.Combine(dir, "RunQueues.bpf.o");
        ElfObjectWriter.WriteFile(spec, path);
        var pin = "/sys/fs/bpf/ebpf_ksym_cs_" + Environment.ProcessId;
        try
        {
            var load = ExternalTool.Run(ExternalTool.Require("bpftool"), "-d", "prog", "loadall", path, pin);
            Assert.True(load.ExitCode != 0, load.Combined);
            var vmlinux = BtfSpec.LoadKernel();
            foreach (var name in new[] { "runqueues", "bpf_prog_active" })
            {
                int id = vmlinux.IdOf(vmlinux.FindTypes<BtfVar>(name).Single());
                Assert.True(load.Combined.Contains($"extern (var ksym) '{name}': resolved to [{id}] var {name}"), $"libbpf should resolve {name} to [{id}]:\n{load.Combined}");
            }
            Assert.Contains("ldimm64 failed to find the address for kernel symbol 'runqueues'", load.Combined);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, recursive: true);
        }
    }

    [SkippableFact]
    public void A_ksym_declared_with_a_type_unlike_the_kernels_is_refused_at_load_naming_both()
    {
        Kernel.RequireBpf();
        var probe = Probe.Replace("[Ksym(Name = \"bpf_prog_active\")] static readonly int ProgActive;", "[Ksym(Name = \"bpf_prog_active\")] static readonly rq ProgActive;")
;
        var result = BpfCompiler.CompileSources([(probe, "RunQueues.cs"), (RunQueue.Value, "Vmlinux.g.cs")]);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var e = Assert.Throws<LoadException>(() => Collection.Load(Assert.Single(result.Objects).Spec, new CollectionOptions { ObjectName = "ksym_bad" }).Dispose());
        Assert.Contains("'bpf_prog_active' declared as struct rq", e.Message);
        Assert.Contains("kernel's int", e.Message);
    }
}
