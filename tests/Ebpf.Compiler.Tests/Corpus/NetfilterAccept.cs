using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A netfilter program accepting every packet.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class NetfilterAccept
{
    [Netfilter]
    static int OnPacket(NetfilterContext ctx) => ctx.Skb != 0 ? 1 : 0;
}
