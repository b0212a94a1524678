using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An XDP program counting packets.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class XdpPass
{
    static ulong Packets;

    [Xdp]
    static XdpAction Count(XdpContext ctx) { Packets++; return XdpAction.Pass; }
}
