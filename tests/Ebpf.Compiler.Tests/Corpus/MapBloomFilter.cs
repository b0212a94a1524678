using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A Bloom filter of blocked sources.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapBloomFilter
{
    static readonly BloomFilter<uint> Blocked = new(maxEntries: 1024);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        uint source = ctx.IngressIfindex;
        if (Blocked.Peek(in source) == 0) return XdpAction.Drop;
        return XdpAction.Pass;
    }
}
