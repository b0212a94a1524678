using Ebpf.Simulation;

namespace Ebpf;

/// <summary>The context of socket filter, tc and cgroup_skb programs (struct __sk_buff): a socket buffer's
/// metadata and its packet.</summary>
/// <remarks>
/// Each property marked <see cref="ContextFieldAttribute"/> is a load from (or, for the writable fields, a
/// store to) the context; the kernel rewrites it to the real <c>sk_buff</c> access. Which fields a program may
/// read or write depends on its type (e.g. tc may write <see cref="Mark"/>, socket filters only <c>cb</c>); the
/// verifier has the last word. In managed code a context is a view of an <see cref="SkBuffPacket"/>.
/// </remarks>
public unsafe struct SkBuffContext
{
    // A handle to the simulated sk_buff, so the context stays an unmanaged value like the kernel's pointer.
    readonly long _packet;

    internal SkBuffContext(long packet) => _packet = packet;

    internal SkBuffPacket Packet => PacketRegistry<SkBuffPacket>.Get(_packet, nameof(SkBuffContext), "new SkBuffPacket(bytes)");

    /// <summary>The packet length (<c>len</c>), headers included.</summary>
    [ContextField(0, 4)] public uint Len => (uint)Packet.Buffer.Length;
    /// <summary>PACKET_HOST, PACKET_BROADCAST, ... (<c>pkt_type</c>).</summary>
    [ContextField(4, 4)] public uint PktType => Packet.PktType;
    /// <summary>The firewall mark (<c>mark</c>); tc programs may set it.</summary>
    [ContextField(8, 4)] public uint Mark { get => Packet.Mark; set => Packet.Mark = value; }
    /// <summary>The transmit queue (<c>queue_mapping</c>).</summary>
    [ContextField(12, 4)] public uint QueueMapping { get => Packet.QueueMapping; set => Packet.QueueMapping = value; }
    /// <summary>The link-layer protocol, network byte order (<c>protocol</c>, e.g. ETH_P_IP as 0x0008).</summary>
    [ContextField(16, 4)] public uint Protocol => Packet.Protocol;
    /// <summary>Whether a VLAN tag was stripped into <see cref="VlanTci"/> (<c>vlan_present</c>).</summary>
    [ContextField(20, 4)] public uint VlanPresent => Packet.VlanTci is null ? 0u : 1u;
    /// <summary>The stripped VLAN tag (<c>vlan_tci</c>).</summary>
    [ContextField(24, 4)] public uint VlanTci => Packet.VlanTci ?? 0;
    /// <summary>The VLAN protocol, network byte order (<c>vlan_proto</c>).</summary>
    [ContextField(28, 4)] public uint VlanProto => Packet.VlanProto;
    /// <summary>The queueing priority (<c>priority</c>); tc programs may set it.</summary>
    [ContextField(32, 4)] public uint Priority { get => Packet.Priority; set => Packet.Priority = value; }
    /// <summary>The interface the packet arrived on (<c>ingress_ifindex</c>).</summary>
    [ContextField(36, 4)] public uint IngressIfindex => Packet.IngressIfindex;
    /// <summary>The interface the packet is on now (<c>ifindex</c>).</summary>
    [ContextField(40, 4)] public uint Ifindex => Packet.Ifindex;
    /// <summary>The traffic control index (<c>tc_index</c>).</summary>
    [ContextField(44, 4)] public uint TcIndex { get => Packet.TcIndex; set => Packet.TcIndex = value; }
    /// <summary>Control buffer word 0 (<c>cb[0]</c>): scratch space shared by programs on one packet.</summary>
    [ContextField(48, 4)] public uint Cb0 { get => Packet.Cb[0]; set => Packet.Cb[0] = value; }
    /// <summary>Control buffer word 1 (<c>cb[1]</c>).</summary>
    [ContextField(52, 4)] public uint Cb1 { get => Packet.Cb[1]; set => Packet.Cb[1] = value; }
    /// <summary>Control buffer word 2 (<c>cb[2]</c>).</summary>
    [ContextField(56, 4)] public uint Cb2 { get => Packet.Cb[2]; set => Packet.Cb[2] = value; }
    /// <summary>Control buffer word 3 (<c>cb[3]</c>).</summary>
    [ContextField(60, 4)] public uint Cb3 { get => Packet.Cb[3]; set => Packet.Cb[3] = value; }
    /// <summary>Control buffer word 4 (<c>cb[4]</c>).</summary>
    [ContextField(64, 4)] public uint Cb4 { get => Packet.Cb[4]; set => Packet.Cb[4] = value; }
    /// <summary>The flow hash (<c>hash</c>).</summary>
    [ContextField(68, 4)] public uint Hash => Packet.Hash;
    /// <summary>The tc class id (<c>tc_classid</c>); tc programs may set it.</summary>
    [ContextField(72, 4)] public uint TcClassid { get => Packet.TcClassid; set => Packet.TcClassid = value; }
    /// <summary>Start of the linear packet data (<c>data</c>); tc and cgroup_skb only, not socket filters.</summary>
    [ContextField(76, 4)] public byte* Data => Packet.Buffer.Data;
    /// <summary>End of the linear packet data (<c>data_end</c>): reads must stay below it.</summary>
    [ContextField(80, 4)] public byte* DataEnd => Packet.Buffer.DataEnd;
    /// <summary>The NAPI id the packet was received on (<c>napi_id</c>).</summary>
    [ContextField(84, 4)] public uint NapiId => Packet.NapiId;
    /// <summary>The socket's address family (<c>family</c>; sk_skb and cgroup programs).</summary>
    [ContextField(88, 4)] public uint Family => Packet.Family;
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [ContextField(92, 4)] public uint RemoteIp4 => Packet.RemoteIp4;
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [ContextField(96, 4)] public uint LocalIp4 => Packet.LocalIp4;
    /// <summary>The remote port, network byte order (<c>remote_port</c>).</summary>
    [ContextField(132, 4)] public uint RemotePort => Packet.RemotePort;
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [ContextField(136, 4)] public uint LocalPort => Packet.LocalPort;
    /// <summary>Start of the metadata an XDP program left before the packet (<c>data_meta</c>; tc only).</summary>
    [ContextField(140, 4)] public byte* DataMeta => Packet.Buffer.DataMeta;
    /// <summary>The packet's timestamp (<c>tstamp</c>); tc programs may set it (EDT pacing).</summary>
    [ContextField(152, 8)] public ulong Tstamp { get => Packet.Tstamp; set => Packet.Tstamp = value; }
    /// <summary>The length on the wire (<c>wire_len</c>).</summary>
    [ContextField(160, 4)] public uint WireLen => Packet.WireLen ?? (uint)Packet.Buffer.Length;
    /// <summary>The number of GSO segments (<c>gso_segs</c>).</summary>
    [ContextField(164, 4)] public uint GsoSegs => Packet.GsoSegs;
    /// <summary>The GSO segment size (<c>gso_size</c>).</summary>
    [ContextField(176, 4)] public uint GsoSize => Packet.GsoSize;
    /// <summary>The hardware timestamp (<c>hwtstamp</c>).</summary>
    [ContextField(184, 8)] public ulong Hwtstamp => Packet.Hwtstamp;

    /// <summary>Reads a <typeparamref name="T"/> (a header) at <paramref name="offset"/> bytes into the packet; false
    /// when the packet is too short.</summary>
    /// <remarks>tc and cgroup_skb: the verifier's <c>data + offset + sizeof(T) &gt; data_end</c> check and a load.
    /// Socket filters have no direct packet access: there it compiles to <c>bpf_skb_load_bytes</c> (id 26),
    /// which also reaches non-linear data.</remarks>
    [PacketRead(76, 80, LoadBytesHelper = 26)]
    public bool TryRead<T>(int offset, out T value) where T : unmanaged => Packet.Buffer.TryRead(offset, out value);

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> bytes into the packet; false when the packet is too short.</summary>
    /// <remarks>tc only (direct packet writes; checksums are the program's business: <c>bpf_l3_csum_replace</c>/<c>l4</c>).</remarks>
    [PacketWrite(76, 80)]
    public bool TryWrite<T>(int offset, in T value) where T : unmanaged => Packet.Buffer.TryWrite(offset, value);
}
