using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A kretprobe reading the return value register.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class KretprobeUnlinkat
{
    static long LastResult;

    [Kretprobe("do_unlinkat")]
    static int OnUnlinkReturn(PtRegs ctx) { LastResult = (long)ctx.Ax; return 0; }
}
