using Ebpf.Simulation;

namespace Ebpf;

/// <summary>A packet for running an XDP program in managed code: owns the packet's native memory (with
/// the kernel's 256 bytes of headroom) and the <c>xdp_md</c> metadata; <see cref="Context"/> is what the
/// program receives.</summary>
/// <remarks>The frame is a 4 KiB page like the kernel's test runs use, so <c>bpf_xdp_adjust_head</c>,
/// <c>adjust_meta</c> and <c>adjust_tail</c> can move the packet's bounds; read the result with <see cref="ToArray"/>.</remarks>
[ManagedOnly]
public sealed class XdpPacket : IDisposable
{
    /// <summary>XDP_PACKET_HEADROOM: bytes before the packet that <c>bpf_xdp_adjust_head</c> can grow into.</summary>
    public const int Headroom = 256;
    /// <summary>The frame size: a page.</summary>
    public const int FrameSize = 4096;
    /// <summary>Bytes at the end of the frame reserved for the kernel's <c>skb_shared_info</c>: the tail cannot grow into them.</summary>
    public const int SharedInfoSize = 320;
    /// <summary>sizeof(struct xdp_frame): bytes at the start of the headroom the packet cannot grow into.</summary>
    public const int FrameHeaderSize = 40;

    readonly long _id;

    internal PacketBuffer Buffer { get; }

    /// <summary>Copies <paramref name="packet"/> into a new buffer.</summary>
    public XdpPacket(ReadOnlySpan<byte> packet)
    {
        Buffer = new PacketBuffer(packet, Headroom, Math.Max(FrameSize, Headroom + packet.Length + SharedInfoSize));
        _id = PacketRegistry<XdpPacket>.Register(this);
        CurrentPacket.Enter(this);
    }

    /// <summary>The context to call the program with.</summary>
    public XdpContext Context => new(_id);

    /// <summary>The receiving interface index (<c>xdp_md.ingress_ifindex</c>).</summary>
    public uint IngressIfindex { get; set; } = 1;
    /// <summary>The receive queue (<c>xdp_md.rx_queue_index</c>).</summary>
    public uint RxQueueIndex { get; set; }
    /// <summary>The egress interface (<c>xdp_md.egress_ifindex</c>), 0 outside devmap programs.</summary>
    public uint EgressIfindex { get; set; }

    /// <summary>The packet as the program left it (between <c>data</c> and <c>data_end</c>).</summary>
    public byte[] ToArray() => Buffer.Bytes.ToArray();

    /// <summary>The metadata the program placed before the packet (between <c>data_meta</c> and <c>data</c>).</summary>
    public unsafe byte[] Metadata => new ReadOnlySpan<byte>(Buffer.DataMeta, (int)(Buffer.Data - Buffer.DataMeta)).ToArray();

    /// <summary>The last byte the packet may grow to with <c>bpf_xdp_adjust_tail</c>.</summary>
    internal unsafe byte* TailLimit => Buffer.HardEnd - SharedInfoSize;

    /// <summary>The interface and flags of the last <c>bpf_redirect</c>/<c>bpf_redirect_map</c>, if any.</summary>
    public (uint Ifindex, ulong Flags)? Redirect { get; internal set; }

    /// <summary>Frees the packet's memory; contexts of it must no longer be used.</summary>
    public void Dispose()
    {
        CurrentPacket.Leave(this);
        PacketRegistry<XdpPacket>.Unregister(_id);
        Buffer.Dispose();
    }

    /// <summary>The context of this packet, so a program can be called with the packet itself.</summary>
    public static implicit operator XdpContext(XdpPacket packet) => packet.Context;
}
