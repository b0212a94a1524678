using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A kprobe reading its first argument.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class KprobeUnlinkat
{
    static long LastDfd;

    [Kprobe("do_unlinkat")]
    static int OnUnlink(PtRegs ctx, int dfd) { LastDfd = dfd; return 0; }
}
