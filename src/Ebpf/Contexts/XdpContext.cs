using Ebpf.Simulation;

namespace Ebpf;

/// <summary>XDP verdicts (enum xdp_action).</summary>
public enum XdpAction { Aborted = 0, Drop = 1, Pass = 2, Tx = 3, Redirect = 4 }

/// <summary>The context of an XDP program (struct xdp_md).</summary>
/// <remarks>In a compiled program the context is the pointer the kernel passes in R1 and each property
/// marked <see cref="ContextFieldAttribute"/> is a load from it. In managed code a context is a view of
/// an <see cref="XdpPacket"/>, which owns the packet's memory.</remarks>
public unsafe partial struct XdpContext
{
    // A handle to the simulated xdp_buff, so the context stays an unmanaged value like the kernel's pointer.
    readonly long _packet;

    internal XdpContext(long packet) => _packet = packet;

    internal XdpPacket Packet => PacketRegistry<XdpPacket>.Get(_packet, nameof(XdpContext), "XdpContext.FromPacket(bytes) or new XdpPacket(bytes)");

    /// <summary>Start of packet data (<c>xdp_md.data</c>).</summary>
    [ContextField(0, 4)] public byte* Data => Packet.Buffer.Data;
    /// <summary>End of packet data (<c>xdp_md.data_end</c>): reads must stay below it.</summary>
    [ContextField(4, 4)] public byte* DataEnd => Packet.Buffer.DataEnd;
    /// <summary>Start of the metadata area before <see cref="Data"/> (<c>xdp_md.data_meta</c>), grown by <c>bpf_xdp_adjust_meta</c>.</summary>
    [ContextField(8, 4)] public byte* DataMeta => Packet.Buffer.DataMeta;
    /// <summary>The receiving interface (<c>xdp_md.ingress_ifindex</c>).</summary>
    [ContextField(12, 4)] public uint IngressIfindex => Packet.IngressIfindex;
    /// <summary>The receive queue (<c>xdp_md.rx_queue_index</c>).</summary>
    [ContextField(16, 4)] public uint RxQueueIndex => Packet.RxQueueIndex;
    /// <summary>The transmitting interface for programs attached to a devmap entry (<c>xdp_md.egress_ifindex</c>, kernel 5.8).</summary>
    [ContextField(20, 4)] public uint EgressIfindex => Packet.EgressIfindex;

    /// <summary>Reads a <typeparamref name="T"/> (a header) at <paramref name="offset"/> bytes into the packet;
    /// false when the packet is too short, so a program needs no <c>unsafe</c> and no manual bounds check.</summary>
    /// <remarks>Compiles to the check the verifier requires, <c>data + offset + sizeof(T) &gt; data_end</c>,
    /// then a load. The offset may be a variable the verifier can bound (e.g. <c>14 + ihl * 4</c>).</remarks>
    [PacketRead(0, 4)]
    public bool TryRead<T>(int offset, out T value) where T : unmanaged => Packet.Buffer.TryRead(offset, out value);

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> bytes into the packet; false (and
    /// nothing written) when the packet is too short.</summary>
    /// <remarks>Compiles to the same bounds check as <see cref="TryRead{T}"/>, then a store.</remarks>
    [PacketWrite(0, 4)]
    public bool TryWrite<T>(int offset, in T value) where T : unmanaged => Packet.Buffer.TryWrite(offset, value);

    /// <summary>Copies <paramref name="packet"/> into a new simulated XDP buffer whose context a program can be
    /// called with; dispose the result after the call.</summary>
    [ManagedOnly]
    public static XdpPacket FromPacket(ReadOnlySpan<byte> packet) => new(packet);
}
