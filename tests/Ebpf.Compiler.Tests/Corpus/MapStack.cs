using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A stack map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapStack
{
    static readonly StackMap<ulong> Recent = new(maxEntries: 16);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        if (Recent.Pop(out ulong top) == 0) Recent.Push(top + 1);
        return XdpAction.Pass;
    }
}
