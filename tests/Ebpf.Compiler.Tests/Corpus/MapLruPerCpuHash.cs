using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An LRU per-CPU hash map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapLruPerCpuHash
{
    static readonly LruPerCpuHashMap<uint, ulong> Recent = new(maxEntries: 128);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        Recent.Update(ctx.IngressIfindex, 1);
        return XdpAction.Pass;
    }
}
