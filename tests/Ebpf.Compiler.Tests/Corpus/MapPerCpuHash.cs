using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A per-CPU hash map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapPerCpuHash
{
    static readonly PerCpuHashMap<uint, ulong> Counts = new(maxEntries: 256);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ref ulong n = ref Counts.Lookup(ctx.IngressIfindex);
        if (!Unsafe.IsNullRef(ref n)) n++;
        return XdpAction.Pass;
    }
}
