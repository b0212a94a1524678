using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A devmap for XDP_REDIRECT.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapDevMap
{
    static readonly DevMap Ports = new(maxEntries: 8);

    [Xdp]
    static XdpAction Count(XdpContext ctx) => Ports.Redirect(0, XdpAction.Pass);
}
