using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An LRU hash map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapLruHash
{
    static readonly LruHashMap<uint, ulong> Recent = new(maxEntries: 128);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        Recent.Update(ctx.IngressIfindex, Bpf.KtimeGetNs());
        return XdpAction.Pass;
    }
}
