using System.Runtime.InteropServices;
using Ebpf.Bindings;
using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>Bit-fields of kernel types read from eBPF as libbpf's BPF_CORE_READ_BITFIELD does (byte offset, byte size,
/// left shift, signedness and right shift relocations): <c>task_struct.sched_reset_on_fork</c>, which a thread sets on
/// itself with <c>sched_setscheduler(SCHED_OTHER | SCHED_RESET_ON_FORK)</c> and reads back with
/// <c>sched_getscheduler</c>, so the kernel-read value is compared with the value the kernel reports otherwise.</summary>
public partial class CoreBitfieldTests
{
    const string Probe = """
        using Ebpf;
        using Vmlinux;

        public struct NoArgs { public ulong Common; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class BitfieldProbe
        {
            static readonly int TargetTid;
            static int Calls;
            static int First = -1;
            static int Second = -1;

            [Tracepoint("syscalls", "sys_enter_getppid")]
            static int OnGetppid(in NoArgs args)
            {
                if ((int)Bpf.GetCurrentPidTgid() != TargetTid) return 0;
                var task = (task_struct*)Bpf.GetCurrentTask();
                if (Calls == 0) First = (int)task->sched_reset_on_fork;
                else Second = (int)task->sched_reset_on_fork;
                Calls++;
                return 0;
            }
        }
        """;

    static readonly Lazy<string> TaskStruct = new(() => VmlinuxGenerator.Generate(BtfSpec.LoadKernel(), ["task_struct"]));

    static ObjectSpec Compile(string source, string name)
    {
        var result = BpfCompiler.CompileSources([(source, name + ".cs"), (TaskStruct.Value, "Vmlinux.g.cs")]);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    [Fact]
    public void A_bitfield_read_carries_the_five_relocations_of_BPF_CORE_READ_BITFIELD_and_a_bitfield_member_in_the_local_type()
    {
        var spec = Compile(Probe, "BitfieldProbe");
        var program = spec.Programs.Single(p => p.Name == "OnGetppid");
        var records = program.CoreRelocations.Where(r => r.AccessString != "0").ToList();
        var kinds = records.Select(r => r.Kind).Distinct().Order().ToArray();
        Assert.Equal(
            [BtfCoreRelocationKind.FieldByteOffset, BtfCoreRelocationKind.FieldByteSize, BtfCoreRelocationKind.FieldSigned,
             BtfCoreRelocationKind.FieldLShiftU64, BtfCoreRelocationKind.FieldRShiftU64],
            kinds);
        var local = (BtfStruct)records[0].Type;
        var member = Assert.Single(local.Members);
        Assert.Equal("sched_reset_on_fork", member.Name);
        Assert.Equal(1u, member.BitFieldSize);
        var kernel = BtfSpec.LoadKernel().FindType<BtfStruct>("task_struct")!;
        Assert.Equal(KernelBitOffset(kernel, "sched_reset_on_fork"), member.BitOffset);
        Assert.All(records, r => Assert.Equal("0:0", r.AccessString));
        // The probe-read path: the helper reads the relocated byte size into the stack, no direct load from the task.
        Assert.Contains(program.Instructions, i => i.IsCall && i.Imm == 113);
    }

    /// <summary>The bit offset of a member of a kernel struct, searching anonymous members as the generator flattens them.</summary>
    static uint KernelBitOffset(BtfStruct s, string name)
    {
        foreach (var m in s.Members)
        {
            if (m.Name == name) return m.BitOffset;
            if (string.IsNullOrEmpty(m.Name) && BtfLayout.SkipQualifiers(m.Type) is BtfStruct inner)
            {
                uint found = KernelBitOffset(inner, name);
                if (found != uint.MaxValue) return m.BitOffset + found;
            }
        }
        return uint.MaxValue;
    }

    /// <summary>Kernel memory is not written through CO-RE: assigning a kernel bit-field is one diagnostic at the
    /// assignment, not a crash or a silent miscompile.</summary>
    [Fact]
    public void Writing_a_kernel_bitfield_is_reported_at_the_assignment()
    {
        const string source = """
            using Ebpf;
            using Vmlinux;

            public struct NoArgs { public ulong Common; }

            [BpfObject(License = "GPL")]
            public static unsafe partial class BitfieldWrite
            {
                [Tracepoint("syscalls", "sys_enter_getppid")]
                static int OnGetppid(in NoArgs args)
                {
                    var task = (task_struct*)Bpf.GetCurrentTask();
                    task->sched_reset_on_fork = 1;
                    return 0;
                }
            }
            """;
        var result = BpfCompiler.CompileSources([(source, "BitfieldWrite.cs"), (TaskStruct.Value, "Vmlinux.g.cs")]);
        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Matches(@"^BitfieldWrite\.cs\(13,9\): error EBPF\d{4}: ", error.ToString());
        Assert.Contains("sched_reset_on_fork", error.ToString());
    }

    const int SchedOther = 0, SchedResetOnFork = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    struct SchedParam { public int Priority; }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setscheduler(int pid, int policy, in SchedParam param);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getscheduler(int pid);

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial int getppid();

    /// <summary>One thread reads its own bit through the probe-read path before and after setting it; relocated by our
    /// runtime in user space, or by the kernel (BPF_PROG_LOAD's CO-RE).</summary>
    [SkippableTheory]
    [InlineData(CoreRelocationMode.UserSpace)]
    [InlineData(CoreRelocationMode.Kernel)]
    public void Reads_sched_reset_on_fork_as_sched_getscheduler_reports_it_through_probe_read(CoreRelocationMode mode)
    {
        Kernel.RequireTracefs();
        var spec = Compile(Probe, "BitfieldProbe");
        int first = -2, second = -2, reportedBefore = -2, reportedAfter = -2, calls = -2;
        Exception? failure = null;
        // A thread of its own: the scheduling flag is per thread, and other tests' threads must not see it.
        var thread = new Thread(() =>
        {
            try
            {
                spec.SetVariable("TargetTid", gettid());
                using var collection = Collection.Load(spec, new CollectionOptions { Core = new CoreOptions { Mode = mode } });
                int records = spec.Programs.Single(p => p.Name == "OnGetppid").CoreRelocations.Count;   // two reads, five each
                Assert.Equal(10, records);
                Assert.Equal(mode == CoreRelocationMode.Kernel ? records : 0, collection.Programs["OnGetppid"].Code.CoreRelocations.Count);
                using (collection.Programs["OnGetppid"].Attach())
                {
                    reportedBefore = sched_getscheduler(0) & SchedResetOnFork;
                    getppid();
                    Assert.Equal(0, sched_setscheduler(0, SchedOther | SchedResetOnFork, new SchedParam()));
                    reportedAfter = sched_getscheduler(0) & SchedResetOnFork;
                    getppid();
                    Assert.Equal(0, sched_setscheduler(0, SchedOther, new SchedParam()));   // root may clear it again
                }
                first = collection.ReadVariable<int>("First");
                second = collection.ReadVariable<int>("Second");
                calls = collection.ReadVariable<int>("Calls");
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException("the probing thread failed: " + failure);
        Assert.Equal(2, calls);
        Assert.Equal(0, reportedBefore);
        Assert.Equal(SchedResetOnFork, reportedAfter);
        Assert.Equal(0, first);
        Assert.Equal(1, second);
    }

    const string ForkProbe = """
        using Ebpf;
        using Vmlinux;

        [BpfObject(License = "GPL")]
        public static unsafe partial class BitfieldForkProbe
        {
            static readonly int TargetPid;
            static int ParentBit = -1;
            static int ChildBit = -1;
            static int ChildTgid;

            [TracepointBtf("sched_process_fork")]
            static int OnFork(TracingContext ctx, task_struct* parent, task_struct* child)
            {
                if (parent->tgid != TargetPid) return 0;
                ParentBit = (int)parent->sched_reset_on_fork;
                ChildBit = (int)child->sched_reset_on_fork;
                ChildTgid = child->tgid;
                return 0;
            }
        }
        """;

    /// <summary>In a tp_btf program the bit-field is loaded directly from the BTF pointer (the load size a relocated
    /// constant the verifier follows): a shell started with <c>chrt --reset-on-fork</c> has the bit, and the child it
    /// forks does not (the kernel clears it in sched_fork, before the tracepoint).</summary>
    [SkippableFact]
    public void A_tp_btf_program_loads_the_bitfield_directly_from_parent_and_child()
    {
        Kernel.RequireBpf();
        var spec = Compile(ForkProbe, "BitfieldForkProbe");
        var program = spec.Programs.Single(p => p.Name == "OnFork");
        Assert.DoesNotContain(program.Instructions, i => i.IsCall);
        var (collection, child) = ForkingShell.LoadAndFork(spec, "OnFork", ExternalTool.Require("chrt"), "--reset-on-fork", "--other", "0");
        using var _ = collection;
        Assert.Equal(child, collection.ReadVariable<int>("ChildTgid"));
        Assert.Equal(1, collection.ReadVariable<int>("ParentBit"));
        Assert.Equal(0, collection.ReadVariable<int>("ChildBit"));
    }
}
