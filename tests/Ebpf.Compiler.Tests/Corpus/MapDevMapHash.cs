using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A devmap_hash keyed by ifindex.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapDevMapHash
{
    static readonly DevMapHash Ports = new(maxEntries: 8);

    [Xdp]
    static XdpAction Count(XdpContext ctx) => Ports.Redirect(ctx.IngressIfindex, XdpAction.Pass);
}
