using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An array of maps whose inner maps are 4-entry arrays (user space fills the slots).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapArrayOfMaps
{
    static readonly ArrayOfMaps<ArrayMap<ulong>> PerTenant = new(maxEntries: 8, innerMaxEntries: 4);
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
}
