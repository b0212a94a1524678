using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A sockmap: sockops adds sockets, sk_skb and sk_msg programs redirect to them.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapSockMap
{
    static readonly SockMap Peers = new(maxEntries: 16);

    [SkSkb(SkSkbHook.StreamVerdict)]
    static SkAction Verdict(SkBuffContext skb) => Peers.RedirectSkb(skb, skb.Len & 1, SkRedirectFlags.Ingress);

    [SkMsg]
    static SkAction Message(SkMsgContext msg) => Peers.RedirectMsg(msg, 0);

    [SockOps]
    static int OnOp(SockOpsContext ops)
    {
        uint key = ops.LocalPort & 15;
        if (ops.Op == 4) Peers.Update(ops, in key);   // BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB
        return 1;
    }
}
