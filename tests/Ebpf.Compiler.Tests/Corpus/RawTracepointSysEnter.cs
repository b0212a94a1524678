using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A raw tracepoint counting getpid calls.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class RawTracepointSysEnter
{
    static ulong Calls;

    [RawTracepoint("sys_enter")]
    static int OnSysEnter(RawTracepointContext ctx)
    {
        if (ctx.Arg<long>(1) == 39) Calls++;   // getpid
        return 0;
    }
}
