using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A sockhash keyed by 4-tuple: sockops adds sockets, sk_msg and sk_skb programs redirect by tuple.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapSockHash
{
    public struct Tuple4 { public uint LocalIp; public uint RemoteIp; public uint LocalPort; public uint RemotePort; }

    static readonly SockHash<Tuple4> Peers = new(maxEntries: 16);

    [SkMsg]
    static SkAction Message(SkMsgContext msg)
    {
        var key = new Tuple4 { LocalIp = msg.RemoteIp4, RemoteIp = msg.LocalIp4, LocalPort = msg.RemotePort, RemotePort = msg.LocalPort };
        return Peers.RedirectMsg(msg, in key, SkRedirectFlags.Ingress);
    }

    [SkSkb(SkSkbHook.StreamVerdict)]
    static SkAction Verdict(SkBuffContext skb)
    {
        var key = new Tuple4 { LocalPort = skb.LocalPort };
        return Peers.RedirectSkb(skb, in key);
    }

    [SockOps]
    static int OnOp(SockOpsContext ops)
    {
        var key = new Tuple4 { LocalIp = ops.LocalIp4, RemoteIp = ops.RemoteIp4, LocalPort = ops.LocalPort, RemotePort = ops.RemotePort };
        if (ops.Op == 5) Peers.Update(ops, in key);   // BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB
        return 1;
    }
}
