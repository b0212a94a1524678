using System.Buffers.Binary;
using Ebpf.Tests.Support;

namespace Ebpf.Tests.Contexts;

public unsafe class XdpContextTests
{
    [Fact]
    public void Data_pointers_span_the_packet()
    {
        var frame = Packets.Udp(destinationPort: 53);
        using var packet = XdpContext.FromPacket(frame);
        XdpContext ctx = packet;
        Assert.Equal(frame.Length, (int)(ctx.DataEnd - ctx.Data));
        Assert.Equal(frame, new ReadOnlySpan<byte>(ctx.Data, frame.Length).ToArray());
        Assert.True(ctx.DataMeta == ctx.Data);
        Assert.Equal(1u, ctx.IngressIfindex);
    }

    [Fact]
    public void TryRead_is_bounds_checked_like_the_verifier_wants()
    {
        using var packet = new XdpPacket([1, 2, 3, 4, 5, 6]);
        var ctx = packet.Context;
        Assert.True(ctx.TryRead(2, out uint value));
        Assert.Equal(0x06050403u, value);
        Assert.False(ctx.TryRead(3, out uint _));            // 3 + 4 > 6
        Assert.False(ctx.TryRead(-1, out byte _));
        Assert.True(ctx.TryRead(5, out byte last));
        Assert.Equal(6, last);
    }

    [Fact]
    public void TryWrite_changes_the_packet()
    {
        using var packet = new XdpPacket(new byte[4]);
        Assert.True(packet.Context.TryWrite(1, (ushort)0xBEEF));
        Assert.False(packet.Context.TryWrite(3, (ushort)1));
        Assert.Equal(new byte[] { 0, 0xEF, 0xBE, 0 }, packet.ToArray());
    }

    [Fact]
    public void Adjust_head_pushes_and_pops_headers()
    {
        var frame = Packets.Udp(destinationPort: 53);
        using var packet = new XdpPacket(frame);
        Assert.Equal(0, Bpf.XdpAdjustHead(packet, -4));      // room for a 4-byte tag
        Assert.Equal(frame.Length + 4, packet.ToArray().Length);
        Assert.Equal(frame, packet.ToArray()[4..]);
        Assert.Equal(0, Bpf.XdpAdjustHead(packet, 4));
        Assert.Equal(frame, packet.ToArray());
        Assert.Equal(-Errno.EINVAL, Bpf.XdpAdjustHead(packet, -XdpPacket.Headroom));   // into the xdp_frame
        Assert.Equal(-Errno.EINVAL, Bpf.XdpAdjustHead(packet, frame.Length - 13));      // less than an Ethernet header left
    }

    [Fact]
    public void Adjust_meta_reserves_metadata_before_the_packet()
    {
        using var packet = new XdpPacket(new byte[64]);
        Assert.Equal(-Errno.EACCES, Bpf.XdpAdjustMeta(packet, -6));   // not a multiple of 4
        Assert.Equal(-Errno.EACCES, Bpf.XdpAdjustMeta(packet, -36));  // over 32 bytes
        Assert.Equal(-Errno.EINVAL, Bpf.XdpAdjustMeta(packet, 4));    // past data
        Assert.Equal(0, Bpf.XdpAdjustMeta(packet, -8));
        XdpContext ctx = packet;
        *(ulong*)ctx.DataMeta = 0x0102030405060708;
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, packet.Metadata);
        Assert.Equal(0, Bpf.XdpAdjustHead(packet, -2));               // metadata moves with the packet
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, packet.Metadata);
    }

    [Fact]
    public void Adjust_tail_trims_and_grows_zero_filled()
    {
        using var packet = new XdpPacket(Enumerable.Repeat((byte)0xAA, 60).ToArray());
        Assert.Equal(0, Bpf.XdpAdjustTail(packet, -20));
        Assert.Equal(40, packet.ToArray().Length);
        Assert.Equal(0, Bpf.XdpAdjustTail(packet, 10));
        Assert.Equal(Enumerable.Repeat((byte)0xAA, 40).Concat(new byte[10]), packet.ToArray());
        Assert.Equal(-Errno.EINVAL, Bpf.XdpAdjustTail(packet, -40));  // below an Ethernet header
        Assert.Equal(-Errno.EINVAL, Bpf.XdpAdjustTail(packet, XdpPacket.FrameSize));
        Assert.Equal(50UL, Bpf.XdpGetBuffLen(packet));
    }

    [Fact]
    public void Load_and_store_bytes()
    {
        using var packet = new XdpPacket([1, 2, 3, 4, 5]);
        var buffer = new byte[3];
        Assert.Equal(0, Bpf.XdpLoadBytes(packet, 2, buffer));
        Assert.Equal(new byte[] { 3, 4, 5 }, buffer);
        Assert.Equal(-Errno.EINVAL, Bpf.XdpLoadBytes(packet, 3, buffer));
        Assert.Equal(0, Bpf.XdpStoreBytes(packet, 0, [9, 9]));
        Assert.Equal(new byte[] { 9, 9, 3, 4, 5 }, packet.ToArray());
    }

    [Fact]
    public void Redirect_records_the_target_and_returns_XDP_REDIRECT()
    {
        using var packet = new XdpPacket(new byte[64]);
        Assert.Equal((long)XdpAction.Redirect, Bpf.Redirect(7, 0));
        Assert.Equal((7u, 0UL), packet.Redirect);
        Assert.Equal((long)XdpAction.Aborted, Bpf.Redirect(7, RedirectFlags.Ingress));   // XDP takes no flags
    }

    [Fact]
    public void A_context_outliving_its_packet_is_an_error_not_a_crash()
    {
        var packet = new XdpPacket(new byte[14]);
        var ctx = packet.Context;
        packet.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ctx.TryRead(0, out byte _));
        var empty = Assert.Throws<InvalidOperationException>(() => default(XdpContext).TryRead(0, out byte _));
        Assert.Contains("XdpContext.FromPacket", empty.Message);
    }

    [Fact]
    public void The_ethernet_type_reads_in_network_order()
    {
        using var packet = new XdpPacket(Packets.Udp(destinationPort: 1));
        Assert.True(packet.Context.TryRead(12, out ushort etherType));
        Assert.Equal(0x0800, BinaryPrimitives.ReverseEndianness(etherType));
    }
}
