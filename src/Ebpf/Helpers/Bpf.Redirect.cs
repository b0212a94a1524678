using Ebpf.Simulation;

namespace Ebpf;

/// <summary>Flags of the redirect helpers (BPF_F_INGRESS, ...).</summary>
public static class RedirectFlags
{
    /// <summary>BPF_F_INGRESS: deliver to the interface's ingress path instead of transmitting (tc).</summary>
    public const ulong Ingress = 1;
    /// <summary>BPF_F_BROADCAST: redirect_map to every interface of a devmap.</summary>
    public const ulong Broadcast = 1 << 3;
    /// <summary>BPF_F_EXCLUDE_INGRESS: with Broadcast, skip the receiving interface.</summary>
    public const ulong ExcludeIngress = 1 << 4;
}

// Redirection of packets to other interfaces.
public static partial class Bpf
{
    /// <summary>Redirects the packet to interface <paramref name="ifindex"/>: return the result from the program.</summary>
    /// <remarks><c>bpf_redirect(ifindex, flags)</c>, kernel 4.4 (tc), 4.14 (XDP). Returns TC_ACT_REDIRECT (7) in tc
    /// (TC_ACT_SHOT for unknown flags) and XDP_REDIRECT (4) in XDP (XDP_ABORTED for any flags). Managed: recorded
    /// in the packet's <c>Redirect</c> (<see cref="XdpPacket.Redirect"/>, <see cref="SkBuffPacket.Redirect"/>).</remarks>
    [BpfHelper(23)]
    public static long Redirect(uint ifindex, ulong flags)
    {
        switch (CurrentPacket.Get("bpf_redirect"))
        {
            case XdpPacket xdp:
                if (flags != 0) return (long)XdpAction.Aborted;
                xdp.Redirect = (ifindex, flags);
                return (long)XdpAction.Redirect;
            case SkBuffPacket skb:
                if ((flags & ~RedirectFlags.Ingress) != 0) return (long)TcAction.Shot;
                skb.Redirect = (ifindex, flags);
                return (long)TcAction.Redirect;
            default:
                throw new InvalidOperationException("bpf_redirect applies to XDP and socket buffer packets.");
        }
    }

    /// <summary>Redirects the packet to the peer of veth/netkit device <paramref name="ifindex"/>, straight into its
    /// network namespace (tc ingress only); returns TC_ACT_REDIRECT or TC_ACT_SHOT.</summary>
    /// <remarks><c>bpf_redirect_peer(ifindex, flags)</c>, kernel 5.10. <paramref name="flags"/> must be 0.</remarks>
    [BpfHelper(155)]
    public static long RedirectPeer(uint ifindex, ulong flags)
    {
        if (CurrentPacket.Get("bpf_redirect_peer") is not SkBuffPacket skb)
            throw new InvalidOperationException("bpf_redirect_peer is a tc helper.");
        if (flags != 0) return (long)TcAction.Shot;
        skb.Redirect = (ifindex, RedirectFlags.Ingress);
        return (long)TcAction.Redirect;
    }

    /// <summary>Sends a copy of the packet to interface <paramref name="ifindex"/> and continues with the original;
    /// returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_clone_redirect(skb, ifindex, flags)</c>, kernel 4.2. Invalidates packet pointers.
    /// Managed: recorded in <see cref="SkBuffPacket.Clones"/>.</remarks>
    [BpfHelper(13)]
    public static long CloneRedirect(SkBuffContext skb, uint ifindex, ulong flags)
    {
        if ((flags & ~RedirectFlags.Ingress) != 0) return -Errno.EINVAL;
        skb.Packet.Clones.Add((ifindex, flags));
        return 0;
    }
}
