using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A per-CPU array map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapPerCpuArray
{
    static readonly PerCpuArray<ulong> Stats = new(maxEntries: 4);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ref ulong n = ref Stats.Lookup(1);
        if (!Unsafe.IsNullRef(ref n)) n += 2;
        return XdpAction.Pass;
    }
}
