// raw_tp/sched_switch: counts how often each thread is switched out, in a per-CPU hash map, with
// a time stamp of the last switch.
using System.Runtime.CompilerServices;
using Ebpf;

public struct SwitchStats { public ulong Count; public ulong LastNs; }

[BpfObject(License = "GPL")]
public static partial class RawPercpuPid
{
    static readonly PerCpuHashMap<uint, SwitchStats> Switches = new(maxEntries: 8192);

    [RawTracepoint("sched_switch")]
    static int OnSwitch(RawTracepointContext ctx)
    {
        uint tid = (uint)Bpf.GetCurrentPidTgid();
        ulong now = Bpf.KtimeGetNs();
        ref SwitchStats stats = ref Switches.Lookup(tid);
        if (!Unsafe.IsNullRef(ref stats))
        {
            stats.Count++;
            stats.LastNs = now;
            return 0;
        }
        Switches.Update(tid, new SwitchStats { Count = 1, LastNs = now }, MapUpdate.NoExist);
        return 0;
    }
}
