using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A hash of maps whose inner maps are hash maps (user space fills them); the program records the
/// run count in the inner map of interface 1 when user space stored one.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapHashOfMaps
{
    static readonly HashOfMaps<uint, HashMap<uint, ulong>> PerIfindex = new(maxEntries: 8, innerMaxEntries: 64);
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        Runs++;
        var perPort = PerIfindex.Lookup(1);
        if (perPort is null) return XdpAction.Pass;
        perPort.Update(0, Runs);
        return XdpAction.Drop;
    }
}
