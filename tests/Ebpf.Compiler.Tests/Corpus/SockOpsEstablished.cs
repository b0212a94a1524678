using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A sockops program counting established connections.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SockOpsEstablished
{
    static ulong Established;

    [SockOps]
    static int OnOp(SockOpsContext ops)
    {
        if (ops.Op == 4 || ops.Op == 5) Established++;   // BPF_SOCK_OPS_ACTIVE/PASSIVE_ESTABLISHED_CB
        return 1;
    }
}
