using System.Buffers.Binary;
using Ebpf.Simulation;

namespace Ebpf;

/// <summary>A socket buffer for running a socket filter, tc or cgroup_skb program in managed code: owns the
/// packet's native memory and the <c>__sk_buff</c> metadata; <see cref="Context"/> is what the program receives.</summary>
/// <remarks>The packet starts at the Ethernet header, as tc sees it. <see cref="Protocol"/> defaults to the
/// frame's EtherType. Metadata a program writes (mark, priority, cb, ...) can be read back here.</remarks>
[ManagedOnly]
public sealed class SkBuffPacket : IDisposable
{
    /// <summary>Headroom before the packet (NET_SKB_PAD-like), so head adjustments have room.</summary>
    public const int Headroom = 256;

    readonly long _id;

    internal PacketBuffer Buffer { get; }

    /// <summary>Copies <paramref name="packet"/> (starting with its Ethernet header) into a new socket buffer.</summary>
    public SkBuffPacket(ReadOnlySpan<byte> packet)
    {
        Buffer = new PacketBuffer(packet, Headroom, Headroom + packet.Length + 256);
        _id = PacketRegistry<SkBuffPacket>.Register(this);
        CurrentPacket.Enter(this);
        if (packet.Length >= 14)
            Protocol = BinaryPrimitives.ReadUInt16LittleEndian(packet[12..]);   // the EtherType's bytes as a little-endian load sees them
    }

    /// <summary>The context to call the program with.</summary>
    public SkBuffContext Context => new(_id);

    /// <summary>The packet as the program left it.</summary>
    public byte[] ToArray() => Buffer.Bytes.ToArray();

    /// <summary><c>pkt_type</c>: PACKET_HOST (0) unless set.</summary>
    public uint PktType { get; set; }
    /// <summary><c>mark</c>.</summary>
    public uint Mark { get; set; }
    /// <summary><c>queue_mapping</c>.</summary>
    public uint QueueMapping { get; set; }
    /// <summary><c>protocol</c>, network byte order as in the kernel (ETH_P_IP reads as 0x0008 on little-endian).</summary>
    public uint Protocol { get; set; }
    /// <summary>The stripped VLAN tag, or null when none (<c>vlan_present</c>/<c>vlan_tci</c>).</summary>
    public uint? VlanTci { get; set; }
    /// <summary><c>vlan_proto</c>, network byte order.</summary>
    public uint VlanProto { get; set; }
    /// <summary><c>priority</c>.</summary>
    public uint Priority { get; set; }
    /// <summary><c>ingress_ifindex</c>.</summary>
    public uint IngressIfindex { get; set; } = 1;
    /// <summary><c>ifindex</c>.</summary>
    public uint Ifindex { get; set; } = 1;
    /// <summary><c>tc_index</c>.</summary>
    public uint TcIndex { get; set; }
    /// <summary><c>cb[5]</c>: the control buffer.</summary>
    public uint[] Cb { get; } = new uint[5];
    /// <summary><c>hash</c>.</summary>
    public uint Hash { get; set; }
    /// <summary><c>tc_classid</c>.</summary>
    public uint TcClassid { get; set; }
    /// <summary><c>napi_id</c>.</summary>
    public uint NapiId { get; set; }
    /// <summary><c>family</c>.</summary>
    public uint Family { get; set; }
    /// <summary><c>remote_ip4</c>, network byte order.</summary>
    public uint RemoteIp4 { get; set; }
    /// <summary><c>local_ip4</c>, network byte order.</summary>
    public uint LocalIp4 { get; set; }
    /// <summary><c>remote_port</c>, network byte order.</summary>
    public uint RemotePort { get; set; }
    /// <summary><c>local_port</c>, host byte order.</summary>
    public uint LocalPort { get; set; }
    /// <summary><c>tstamp</c>.</summary>
    public ulong Tstamp { get; set; }
    /// <summary><c>wire_len</c>; the packet length when null.</summary>
    public uint? WireLen { get; set; }
    /// <summary><c>gso_segs</c>.</summary>
    public uint GsoSegs { get; set; } = 1;
    /// <summary><c>gso_size</c>.</summary>
    public uint GsoSize { get; set; }
    /// <summary><c>hwtstamp</c>.</summary>
    public ulong Hwtstamp { get; set; }
    /// <summary>The socket's cookie (<c>bpf_get_socket_cookie</c>).</summary>
    public ulong SocketCookie { get; set; }
    /// <summary>The socket owner's uid (<c>bpf_get_socket_uid</c>); the overflow uid 65534 when none.</summary>
    public uint SocketUid { get; set; } = 65534;
    /// <summary>The socket's cgroup v2 id (<c>bpf_skb_cgroup_id</c>).</summary>
    public ulong CgroupId { get; set; }
    /// <summary>The net_cls class id (<c>bpf_get_cgroup_classid</c>).</summary>
    public uint CgroupClassid { get; set; }
    /// <summary>The route realm (<c>bpf_get_route_realm</c>).</summary>
    public uint RouteRealm { get; set; }
    /// <summary>Interfaces the packet was cloned to with <c>bpf_clone_redirect</c>, with their flags.</summary>
    public List<(uint Ifindex, ulong Flags)> Clones { get; } = [];

    /// <summary>The interface and flags of the last <c>bpf_redirect</c>, if any.</summary>
    public (uint Ifindex, ulong Flags)? Redirect { get; internal set; }

    /// <summary>Frees the packet's memory; contexts of it must no longer be used.</summary>
    public void Dispose()
    {
        CurrentPacket.Leave(this);
        PacketRegistry<SkBuffPacket>.Unregister(_id);
        Buffer.Dispose();
    }

    /// <summary>The context of this packet, so a program can be called with the packet itself.</summary>
    public static implicit operator SkBuffContext(SkBuffPacket packet) => packet.Context;
}
