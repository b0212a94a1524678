// raw_tp/sys_enter: counts system calls per number (array map, atomic add), optionally for one
// process group given in .rodata.
using System.Runtime.CompilerServices;
using System.Threading;
using Ebpf;

[BpfObject(License = "GPL")]
public static partial class RawSyscallCounts
{
    const int MaxSyscalls = 512;

    static readonly uint TargetTgid;

    static readonly ArrayMap<ulong> Calls = new(maxEntries: MaxSyscalls);

    [RawTracepoint("sys_enter")]
    static int OnSysEnter(RawTracepointContext ctx)
    {
        if (TargetTgid != 0 && (Bpf.GetCurrentPidTgid() >> 32) != TargetTgid) return 0;
        ref ulong count = ref Calls.Lookup((uint)ctx.Arg<long>(1));
        if (!Unsafe.IsNullRef(ref count)) Interlocked.Increment(ref count);
        return 0;
    }
}
