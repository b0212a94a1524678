using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A program array for tail calls.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapProgramArray
{
    static readonly ProgramArray Next = new(maxEntries: 2);
    static ulong Tails;

    [Xdp]
    static XdpAction Entry(XdpContext ctx)
    {
        Bpf.TailCall(ctx, Next, 0);
        return XdpAction.Pass;
    }

    [Xdp]
    static XdpAction Tail(XdpContext ctx) { Tails++; return XdpAction.Pass; }
}
