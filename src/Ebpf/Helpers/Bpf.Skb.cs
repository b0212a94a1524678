using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>Where <c>bpf_skb_load_bytes_relative</c> counts its offset from (BPF_HDR_START_*).</summary>
public enum HeaderStart : uint
{
    /// <summary>BPF_HDR_START_MAC: the link-layer header.</summary>
    Mac = 0,
    /// <summary>BPF_HDR_START_NET: the network header.</summary>
    Net = 1,
}

// Socket buffer helpers: copying bytes, resizing, metadata.
public static unsafe partial class Bpf
{
    /// <summary>Copies <paramref name="len"/> packet bytes at <paramref name="offset"/> into <paramref name="to"/>, also from
    /// non-linear data; returns 0, or -EFAULT (and <paramref name="to"/> zeroed) when out of range.</summary>
    /// <remarks><c>bpf_skb_load_bytes(skb, offset, to, len)</c>, kernel 4.5: the way socket filters read packets.</remarks>
    [BpfHelper(26)]
    public static long SkbLoadBytes(SkBuffContext skb, uint offset, void* to, uint len) =>
        SkbLoadBytes(skb, offset, new Span<byte>(to, checked((int)len)));

    /// <summary>Copies packet bytes at <paramref name="offset"/> into <paramref name="to"/>; returns 0 or -EFAULT.</summary>
    /// <remarks><c>bpf_skb_load_bytes(skb, offset, to, to.Length)</c>.</remarks>
    [BpfHelper(26)]
    public static long SkbLoadBytes(SkBuffContext skb, uint offset, Span<byte> to) => CopyOut(skb.Packet.Buffer.Bytes, offset, to);

    /// <summary>Reads a <typeparamref name="T"/> (a header) at <paramref name="offset"/>; returns 0 or -EFAULT.</summary>
    /// <remarks><c>bpf_skb_load_bytes(skb, offset, &amp;value, sizeof(T))</c>.</remarks>
    [BpfHelper(26)]
    public static long SkbLoadBytes<T>(SkBuffContext skb, uint offset, out T value) where T : unmanaged
    {
        value = default;
        return CopyOut(skb.Packet.Buffer.Bytes, offset, MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
    }

    /// <summary>Copies bytes at <paramref name="offset"/> from the start of the link-layer or network header into
    /// <paramref name="to"/>; returns 0, -EINVAL for an unknown start, -EFAULT out of range.</summary>
    /// <remarks><c>bpf_skb_load_bytes_relative(skb, offset, to, len, start_header)</c>, kernel 4.18. Managed: the
    /// network header follows a 14-byte Ethernet header.</remarks>
    [BpfHelper(68)]
    public static long SkbLoadBytesRelative(SkBuffContext skb, uint offset, void* to, uint len, HeaderStart startHeader)
    {
        var destination = new Span<byte>(to, checked((int)len));
        uint start;
        switch (startHeader)
        {
            case HeaderStart.Mac: start = 0; break;
            case HeaderStart.Net: start = EthernetHeaderLength; break;
            default: destination.Clear(); return -Errno.EINVAL;
        }
        return CopyOut(skb.Packet.Buffer.Bytes, start + offset, destination);
    }

    /// <summary>Copies <paramref name="len"/> bytes from <paramref name="from"/> into the packet at <paramref name="offset"/>;
    /// returns 0, -EINVAL for bad flags, -EFAULT out of range.</summary>
    /// <remarks><c>bpf_skb_store_bytes(skb, offset, from, len, flags)</c>, kernel 4.1; <paramref name="flags"/>:
    /// <see cref="ChecksumFlags.RecomputeCsum"/>, <see cref="ChecksumFlags.InvalidateHash"/>. Invalidates packet pointers.</remarks>
    [BpfHelper(9)]
    public static long SkbStoreBytes(SkBuffContext skb, uint offset, void* from, uint len, ulong flags) =>
        SkbStoreBytes(skb, offset, new ReadOnlySpan<byte>(from, checked((int)len)), flags);

    /// <summary>Copies <paramref name="from"/> into the packet at <paramref name="offset"/>; returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_skb_store_bytes(skb, offset, from, from.Length, flags)</c>.</remarks>
    [BpfHelper(9)]
    public static long SkbStoreBytes(SkBuffContext skb, uint offset, ReadOnlySpan<byte> from, ulong flags = 0)
    {
        if ((flags & ~(ChecksumFlags.RecomputeCsum | ChecksumFlags.InvalidateHash)) != 0) return -Errno.EINVAL;
        var packet = skb.Packet;
        var bytes = packet.Buffer.Bytes;
        if (offset > 0xFFFF || (ulong)offset + (ulong)from.Length > (ulong)bytes.Length) return -Errno.EFAULT;
        from.CopyTo(bytes[(int)offset..]);
        if ((flags & ChecksumFlags.InvalidateHash) != 0) packet.Hash = 0;
        return 0;
    }

    /// <summary>Makes the first <paramref name="len"/> bytes (0: all) directly accessible; returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_skb_pull_data(skb, len)</c>, kernel 4.9. Invalidates packet pointers. Managed packets are linear.</remarks>
    [BpfHelper(39)]
    public static long SkbPullData(SkBuffContext skb, uint len) => len > (uint)skb.Packet.Buffer.Length ? -Errno.ENOMEM : 0;

    /// <summary>Resizes the packet to <paramref name="len"/> bytes (trimming, or growing zero-filled); returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_skb_change_tail(skb, len, flags)</c>, kernel 4.9; <paramref name="flags"/> must be 0. The packet
    /// keeps its Ethernet header and stays under 64 KiB. Invalidates packet pointers.</remarks>
    [BpfHelper(38)]
    public static long SkbChangeTail(SkBuffContext skb, uint len, ulong flags)
    {
        if (flags != 0 || len < EthernetHeaderLength || len > 0xFFFF) return -Errno.EINVAL;
        var buffer = skb.Packet.Buffer;
        var resized = new byte[len];
        buffer.Bytes[..Math.Min(buffer.Length, (int)len)].CopyTo(resized);
        buffer.Replace(resized, SkBuffPacket.Headroom, 256);
        return 0;
    }

    /// <summary>Adds <paramref name="headroom"/> zeroed bytes in front of the packet (for a new link-layer header);
    /// returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_skb_change_head(skb, len, flags)</c>, kernel 4.10; <paramref name="flags"/> must be 0.
    /// Invalidates packet pointers.</remarks>
    [BpfHelper(43)]
    public static long SkbChangeHead(SkBuffContext skb, uint headroom, ulong flags)
    {
        var buffer = skb.Packet.Buffer;
        if (flags != 0 || headroom + (ulong)buffer.Length > 0xFFFF) return -Errno.EINVAL;
        var grown = new byte[headroom + buffer.Length];
        buffer.Bytes.CopyTo(grown.AsSpan((int)headroom));
        buffer.Replace(grown, SkBuffPacket.Headroom, 256);
        return 0;
    }

    /// <summary>Sets the packet type (PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3); returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_skb_change_type(skb, type)</c>, kernel 4.8.</remarks>
    [BpfHelper(32)]
    public static long SkbChangeType(SkBuffContext skb, uint type)
    {
        var packet = skb.Packet;
        if (packet.PktType > 3 || type > 3) return -Errno.EINVAL;
        packet.PktType = type;
        return 0;
    }

    /// <summary>Adds a VLAN tag (<paramref name="vlanProto"/> 802.1Q/802.1ad in network byte order, <paramref name="vlanTci"/>);
    /// returns 0. Another protocol is taken as 802.1Q, as the kernel does.</summary>
    /// <remarks><c>bpf_skb_vlan_push(skb, vlan_proto, vlan_tci)</c>, kernel 4.3. Managed: the tag goes into the
    /// socket buffer's metadata (<see cref="SkBuffPacket.VlanTci"/>), as with VLAN offload.</remarks>
    [BpfHelper(18)]
    public static long SkbVlanPush(SkBuffContext skb, ushort vlanProto, ushort vlanTci)
    {
        if (vlanProto is not (0x0081 or 0xA888)) vlanProto = 0x0081;   // htons(ETH_P_8021Q), htons(ETH_P_8021AD)
        var packet = skb.Packet;
        packet.VlanProto = vlanProto;
        packet.VlanTci = vlanTci;
        return 0;
    }

    /// <summary>Removes the VLAN tag; returns 0.</summary>
    /// <remarks><c>bpf_skb_vlan_pop(skb)</c>, kernel 4.3. Managed: clears the metadata tag.</remarks>
    [BpfHelper(19)]
    public static long SkbVlanPop(SkBuffContext skb)
    {
        var packet = skb.Packet;
        packet.VlanTci = null;
        packet.VlanProto = 0;
        return 0;
    }

    /// <summary>The packet's flow hash, computing it if not yet known.</summary>
    /// <remarks><c>bpf_get_hash_recalc(skb)</c>, kernel 4.8. Managed: a hash of the packet's bytes when unset.</remarks>
    [BpfHelper(34)]
    public static uint GetHashRecalc(SkBuffContext skb)
    {
        var packet = skb.Packet;
        if (packet.Hash == 0)
        {
            var hash = new HashCode();
            hash.AddBytes(packet.Buffer.Bytes);
            packet.Hash = (uint)hash.ToHashCode() | 1;
        }
        return packet.Hash;
    }

    /// <summary>Sets the packet's flow hash; returns 0.</summary>
    /// <remarks><c>bpf_set_hash(skb, hash)</c>, kernel 4.13.</remarks>
    [BpfHelper(48)]
    public static long SetHash(SkBuffContext skb, uint hash)
    {
        skb.Packet.Hash = hash;
        return 0;
    }

    /// <summary>Marks the packet's flow hash as invalid so it is recomputed.</summary>
    /// <remarks><c>bpf_set_hash_invalid(skb)</c>, kernel 4.9.</remarks>
    [BpfHelper(41)]
    public static void SetHashInvalid(SkBuffContext skb) => skb.Packet.Hash = 0;

    /// <summary>The cookie of the packet's socket (0 when none).</summary>
    /// <remarks><c>bpf_get_socket_cookie(skb)</c>, kernel 4.12. Managed: <see cref="SkBuffPacket.SocketCookie"/>.</remarks>
    [BpfHelper(46)]
    public static ulong GetSocketCookie(SkBuffContext skb) => skb.Packet.SocketCookie;

    /// <summary>The uid owning the packet's socket (the overflow uid when none).</summary>
    /// <remarks><c>bpf_get_socket_uid(skb)</c>, kernel 4.12. Managed: <see cref="SkBuffPacket.SocketUid"/>.</remarks>
    [BpfHelper(47)]
    public static uint GetSocketUid(SkBuffContext skb) => skb.Packet.SocketUid;

    /// <summary>The cgroup v2 id of the packet's socket.</summary>
    /// <remarks><c>bpf_skb_cgroup_id(skb)</c>, kernel 4.18. Managed: <see cref="SkBuffPacket.CgroupId"/>.</remarks>
    [BpfHelper(79)]
    public static ulong SkbCgroupId(SkBuffContext skb) => skb.Packet.CgroupId;

    /// <summary>The net_cls cgroup class id of the packet's socket.</summary>
    /// <remarks><c>bpf_get_cgroup_classid(skb)</c>, kernel 4.3.</remarks>
    [BpfHelper(17)]
    public static uint GetCgroupClassid(SkBuffContext skb) => skb.Packet.CgroupClassid;

    /// <summary>The realm of the packet's route (CONFIG_IP_ROUTE_CLASSID).</summary>
    /// <remarks><c>bpf_get_route_realm(skb)</c>, kernel 4.4.</remarks>
    [BpfHelper(24)]
    public static uint GetRouteRealm(SkBuffContext skb) => skb.Packet.RouteRealm;

    static long CopyOut(ReadOnlySpan<byte> packet, uint offset, Span<byte> to)
    {
        if (offset > int.MaxValue || (ulong)offset + (ulong)to.Length > (ulong)packet.Length)
        {
            to.Clear();
            return -Errno.EFAULT;
        }
        packet.Slice((int)offset, to.Length).CopyTo(to);
        return 0;
    }
}
