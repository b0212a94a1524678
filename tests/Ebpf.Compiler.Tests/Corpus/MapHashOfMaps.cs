using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A hash of maps whose inner maps are hash maps (user space fills them).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapHashOfMaps
{
    static readonly HashOfMaps<uint, HashMap<uint, ulong>> PerIfindex = new(maxEntries: 8, innerMaxEntries: 64);
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
}
