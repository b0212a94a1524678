using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An xskmap handing packets to AF_XDP sockets.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapXskMap
{
    static readonly XskMap Sockets = new(maxEntries: 4);

    [Xdp]
    static XdpAction Count(XdpContext ctx) => Sockets.Redirect(ctx.RxQueueIndex, XdpAction.Pass);
}
