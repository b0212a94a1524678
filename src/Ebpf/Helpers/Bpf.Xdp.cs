namespace Ebpf;

// XDP packet helpers: moving the packet's bounds, copying bytes.
public static unsafe partial class Bpf
{
    const int EthernetHeaderLength = 14;

    /// <summary>Moves the packet's start by <paramref name="delta"/> bytes (negative: grow into the headroom, e.g. to
    /// push an encapsulation header; positive: strip); returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_xdp_adjust_head(ctx, delta)</c>, kernel 4.10. Invalidates packet pointers: re-read
    /// <see cref="XdpContext.Data"/>/<see cref="XdpContext.DataEnd"/> afterwards. The packet keeps at least an
    /// Ethernet header; metadata moves with it.</remarks>
    [BpfHelper(44)]
    public static long XdpAdjustHead(XdpContext ctx, int delta)
    {
        var buffer = ctx.Packet.Buffer;
        long metaLength = buffer.Data - buffer.DataMeta;
        byte* data = buffer.Data + delta;
        byte* frameEnd = buffer.HardStart + XdpPacket.FrameHeaderSize;
        if (data < frameEnd + metaLength || data > buffer.DataEnd - EthernetHeaderLength) return -Errno.EINVAL;
        if (metaLength != 0) Buffer.MemoryCopy(buffer.DataMeta, buffer.DataMeta + delta, metaLength, metaLength);
        buffer.DataMeta += delta;
        buffer.Data = data;
        return 0;
    }

    /// <summary>Moves the metadata start by <paramref name="delta"/> bytes (negative: reserve room before the packet to
    /// pass data to tc or AF_XDP); returns 0, -EINVAL out of bounds, -EACCES for a length that is not a multiple of 4 up to 32.</summary>
    /// <remarks><c>bpf_xdp_adjust_meta(ctx, delta)</c>, kernel 4.15.</remarks>
    [BpfHelper(54)]
    public static long XdpAdjustMeta(XdpContext ctx, int delta)
    {
        var buffer = ctx.Packet.Buffer;
        byte* meta = buffer.DataMeta + delta;
        if (meta < buffer.HardStart + XdpPacket.FrameHeaderSize || meta > buffer.Data) return -Errno.EINVAL;
        long metaLength = buffer.Data - meta;
        if ((metaLength & 3) != 0 || metaLength > 32) return -Errno.EACCES;
        buffer.DataMeta = meta;
        return 0;
    }

    /// <summary>Moves the packet's end by <paramref name="delta"/> bytes (negative: trim; positive: grow, zero-filled);
    /// returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_xdp_adjust_tail(ctx, delta)</c>, kernel 4.18 (growing since 5.8). The packet keeps at least
    /// an Ethernet header and cannot grow past the frame's tailroom.</remarks>
    [BpfHelper(65)]
    public static long XdpAdjustTail(XdpContext ctx, int delta)
    {
        var packet = ctx.Packet;
        var buffer = packet.Buffer;
        byte* end = buffer.DataEnd + delta;
        if (end > packet.TailLimit || end < buffer.Data + EthernetHeaderLength) return -Errno.EINVAL;
        if (delta > 0) new Span<byte>(buffer.DataEnd, delta).Clear();
        buffer.DataEnd = end;
        return 0;
    }

    /// <summary>The packet's total length, fragments included.</summary>
    /// <remarks><c>bpf_xdp_get_buff_len(ctx)</c>, kernel 5.18.</remarks>
    [BpfHelper(188)]
    public static ulong XdpGetBuffLen(XdpContext ctx) => (ulong)ctx.Packet.Buffer.Length;

    /// <summary>Copies <paramref name="len"/> packet bytes at <paramref name="offset"/> into <paramref name="buf"/>
    /// (fragments included); returns 0 or -EINVAL when out of range.</summary>
    /// <remarks><c>bpf_xdp_load_bytes(ctx, offset, buf, len)</c>, kernel 5.18.</remarks>
    [BpfHelper(189)]
    public static long XdpLoadBytes(XdpContext ctx, uint offset, void* buf, uint len) =>
        XdpLoadBytes(ctx, offset, new Span<byte>(buf, checked((int)len)));

    /// <summary>Copies packet bytes at <paramref name="offset"/> into <paramref name="buffer"/>; returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_xdp_load_bytes(ctx, offset, buffer, buffer.Length)</c>.</remarks>
    [BpfHelper(189)]
    public static long XdpLoadBytes(XdpContext ctx, uint offset, Span<byte> buffer)
    {
        var bytes = ctx.Packet.Buffer.Bytes;
        if ((ulong)offset + (ulong)buffer.Length > (ulong)bytes.Length) return -Errno.EINVAL;
        bytes.Slice((int)offset, buffer.Length).CopyTo(buffer);
        return 0;
    }

    /// <summary>Copies <paramref name="len"/> bytes from <paramref name="buf"/> into the packet at <paramref name="offset"/>;
    /// returns 0 or -EINVAL when out of range.</summary>
    /// <remarks><c>bpf_xdp_store_bytes(ctx, offset, buf, len)</c>, kernel 5.18.</remarks>
    [BpfHelper(190)]
    public static long XdpStoreBytes(XdpContext ctx, uint offset, void* buf, uint len) =>
        XdpStoreBytes(ctx, offset, new ReadOnlySpan<byte>(buf, checked((int)len)));

    /// <summary>Copies <paramref name="data"/> into the packet at <paramref name="offset"/>; returns 0 or -EINVAL.</summary>
    /// <remarks><c>bpf_xdp_store_bytes(ctx, offset, data, data.Length)</c>.</remarks>
    [BpfHelper(190)]
    public static long XdpStoreBytes(XdpContext ctx, uint offset, ReadOnlySpan<byte> data)
    {
        var bytes = ctx.Packet.Buffer.Bytes;
        if ((ulong)offset + (ulong)data.Length > (ulong)bytes.Length) return -Errno.EINVAL;
        data.CopyTo(bytes[(int)offset..]);
        return 0;
    }
}
