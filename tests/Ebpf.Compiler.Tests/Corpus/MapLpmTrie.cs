using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An LPM trie.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapLpmTrie
{
    static readonly LpmTrie<LpmKey<uint>, ulong> Routes = new(maxEntries: 64);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        var key = new LpmKey<uint>(32, ctx.IngressIfindex);
        ref ulong hits = ref Routes.Lookup(in key);
        if (!Unsafe.IsNullRef(ref hits)) hits++;
        return XdpAction.Pass;
    }
}
