using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Language;

/// <summary>A tracepoint's record parameter (<c>in T args</c>) passed where a helper wants the context
/// (PerfEventOutput, GetStackid, TailCall) and the map method that takes the context
/// (<c>PerfEventArray.Output(ctx, in e)</c>, whose C# order is not the kernel's): attached to
/// sys_enter_openat and triggered by opening a file.</summary>
public class TracepointContextKernelTests
{
    const string Source = """
        using Ebpf;
        public struct Args { public ulong Common; public long Syscall; public long Dfd; }
        public struct Event { public long Dfd; public uint Pid; public uint Pad; }
        [BpfObject(License = "GPL")]
        public static partial class TpContext
        {
            static readonly uint TargetPid;
            static readonly PerfEventArray Events = new();
            static readonly StackTraceMap Stacks = new(maxEntries: 64);
            static readonly ProgramArray Tails = new(maxEntries: 2);
            static long HelperOutput = 1;
            static long MethodOutput = 1;
            static long StackId = -1000;
            static long TailRan;
            static long TailCallReturned;

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Enter(in Args args)
            {
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                if (pid != TargetPid) return 0;
                var e = new Event { Dfd = args.Dfd, Pid = pid };
                HelperOutput = Bpf.PerfEventOutput(args, Events, PerfEventArray.CurrentCpu, in e);
                MethodOutput = Events.Output(args, in e);
                StackId = Bpf.GetStackid(args, Stacks, 0);
                Bpf.TailCall(args, Tails, 0);
                TailCallReturned = 1;
                return 0;
            }

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Tail(in Args args)
            {
                TailRan = (int)args.Dfd == -100 ? 1 : 2;   // AT_FDCWD (an int in a 64-bit slot)
                return 0;
            }
        }
        """;

    [SkippableFact]
    public void Record_passed_as_context_to_perf_output_stack_id_tail_call_and_map_method_attached_to_sys_enter_openat()
    {
        Kernel.RequireTracefs();
        using var probe = LoadedProbe.Load(Source, "TpContext.cs", spec => spec.SetVariable("TargetPid", (uint)Environment.ProcessId));
        probe.Collection.Maps["Tails"].AsProgramArray().Set(0, probe.Program("Tail"));
        var file = Path.GetTempFileName();
        try
        {
            using (probe.Program("Enter").Attach()) File.ReadAllBytes(file);
        }
        finally
        {
            File.Delete(file);
        }
        // No perf event is open on the array's slots: the helper ran with our arguments and found none.
        Assert.Equal(-2L, probe.Global<long>("HelperOutput"));   // -ENOENT
        Assert.Equal(-2L, probe.Global<long>("MethodOutput"));
        Assert.True(probe.Global<long>("StackId") >= 0, $"bpf_get_stackid gave {probe.Global<long>("StackId")}");
        Assert.Equal(1L, probe.Global<long>("TailRan"));          // the tail call replaced Enter...
        Assert.Equal(0L, probe.Global<long>("TailCallReturned")); // ...which therefore never went on
    }
}
