// Run-queue latency: the wakeup time per pid in a hash map; at the switch-in, the delay goes into a
// log2 histogram (a bounded loop) in an array map.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedWakeupArgs
{
    public ushort CommonType; public byte CommonFlags; public byte CommonPreemptCount; public int CommonPid;
    public fixed byte Comm[16]; public int Pid; public int Prio; public int TargetCpu;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedSwitchArgs
{
    public ushort CommonType; public byte CommonFlags; public byte CommonPreemptCount; public int CommonPid;
    public fixed byte PrevComm[16]; public int PrevPid; public int PrevPrio; public long PrevState;
    public fixed byte NextComm[16]; public int NextPid; public int NextPrio;
}

[BpfObject(License = "GPL")]
public static partial class TpSchedLatency
{
    const int Slots = 32;

    static readonly HashMap<uint, ulong> WakeTimes = new(maxEntries: 10240);
    static readonly ArrayMap<ulong> Histogram = new(maxEntries: Slots);

    [Tracepoint("sched", "sched_wakeup")]
    static int OnWakeup(in SchedWakeupArgs args)
    {
        WakeTimes.Update((uint)args.Pid, Bpf.KtimeGetNs());
        return 0;
    }

    [Tracepoint("sched", "sched_switch")]
    static int OnSwitch(in SchedSwitchArgs args)
    {
        uint pid = (uint)args.NextPid;
        ref ulong woken = ref WakeTimes.Lookup(pid);
        if (Unsafe.IsNullRef(ref woken)) return 0;
        ulong delta = (Bpf.KtimeGetNs() - woken) / 1000;
        WakeTimes.Delete(pid);
        uint slot = 0;
        for (int i = 0; i < Slots - 1 && delta > 1; i++)
        {
            delta >>= 1;
            slot++;
        }
        ref ulong count = ref Histogram.Lookup(slot);
        if (!Unsafe.IsNullRef(ref count)) Interlocked.Increment(ref count);
        return 0;
    }
}
