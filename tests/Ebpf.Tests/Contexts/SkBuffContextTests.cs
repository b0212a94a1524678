using System.Buffers.Binary;
using Ebpf.Tests.Support;

namespace Ebpf.Tests.Contexts;

public unsafe class SkBuffContextTests
{
    [Fact]
    public void Metadata_fields_read_and_write_through_the_context()
    {
        using var packet = new SkBuffPacket(Packets.Udp(destinationPort: 53)) { Ifindex = 3, Priority = 1 };
        SkBuffContext skb = packet;
        Assert.Equal((uint)packet.ToArray().Length, skb.Len);
        Assert.Equal(0x0008u, skb.Protocol);                 // htons(ETH_P_IP) as a little-endian load sees it
        Assert.Equal(3u, skb.Ifindex);
        skb.Mark = 0x42;
        skb.Cb2 = 7;
        skb.Priority = 6;
        Assert.Equal((0x42u, 7u, 6u), (packet.Mark, packet.Cb[2], packet.Priority));
        Assert.Equal(0u, skb.VlanPresent);
    }

    [Fact]
    public void Direct_and_helper_reads_agree()
    {
        using var packet = new SkBuffPacket(Packets.Udp(destinationPort: 5353));
        SkBuffContext skb = packet;
        Assert.True(skb.TryRead(14 + 20 + 2, out ushort direct));
        Assert.Equal(0, Bpf.SkbLoadBytes(skb, 14 + 20 + 2, out ushort copied));
        Assert.Equal(direct, copied);
        Assert.Equal(5353, BinaryPrimitives.ReverseEndianness(copied));
        var header = new byte[20];
        fixed (byte* p = header) Assert.Equal(0, Bpf.SkbLoadBytesRelative(skb, 0, p, 20, HeaderStart.Net));
        Assert.Equal(0x45, header[0]);
        Assert.Equal(-Errno.EFAULT, Bpf.SkbLoadBytes(skb, skb.Len - 1, out ushort _));
    }

    [Fact]
    public void Store_bytes_and_resizing()
    {
        using var packet = new SkBuffPacket(new byte[20]) { Hash = 5 };
        SkBuffContext skb = packet;
        Assert.Equal(0, Bpf.SkbStoreBytes(skb, 18, [1, 2], ChecksumFlags.InvalidateHash));
        Assert.Equal(0u, packet.Hash);
        Assert.Equal(-Errno.EFAULT, Bpf.SkbStoreBytes(skb, 19, [1, 2]));
        Assert.Equal(-Errno.EINVAL, Bpf.SkbStoreBytes(skb, 0, [1], flags: 4));
        Assert.Equal(0, Bpf.SkbChangeTail(skb, 24, 0));
        Assert.Equal(new byte[] { 1, 2, 0, 0, 0, 0 }, packet.ToArray()[18..]);
        Assert.Equal(0, Bpf.SkbChangeHead(skb, 4, 0));
        Assert.Equal(28u, skb.Len);
        Assert.Equal(new byte[] { 1, 2 }, packet.ToArray()[22..24]);
        Assert.Equal(-Errno.EINVAL, Bpf.SkbChangeTail(skb, 10, 0));    // below an Ethernet header
    }

    [Fact]
    public void Vlan_hash_and_type_metadata()
    {
        using var packet = new SkBuffPacket(new byte[60]);
        SkBuffContext skb = packet;
        Assert.Equal(0, Bpf.SkbVlanPush(skb, 0x0081, 100));
        Assert.Equal((1u, 100u, 0x0081u), (skb.VlanPresent, skb.VlanTci, skb.VlanProto));
        Assert.Equal(0, Bpf.SkbVlanPop(skb));
        Assert.Equal(0u, skb.VlanPresent);
        uint hash = Bpf.GetHashRecalc(skb);
        Assert.NotEqual(0u, hash);
        Assert.Equal(hash, Bpf.GetHashRecalc(skb));
        Bpf.SetHash(skb, 9);
        Assert.Equal(9u, skb.Hash);
        Assert.Equal(0, Bpf.SkbChangeType(skb, 3));
        Assert.Equal(-Errno.EINVAL, Bpf.SkbChangeType(skb, 4));
    }

    [Fact]
    public void Tc_redirects_and_clones()
    {
        using var packet = new SkBuffPacket(new byte[60]);
        Assert.Equal((long)TcAction.Redirect, Bpf.Redirect(4, RedirectFlags.Ingress));
        Assert.Equal((4u, RedirectFlags.Ingress), packet.Redirect);
        Assert.Equal((long)TcAction.Shot, Bpf.Redirect(4, 1 << 5));
        Assert.Equal(0, Bpf.CloneRedirect(packet, 5, 0));
        Assert.Equal([(5u, 0UL)], packet.Clones);
        Assert.Equal((long)TcAction.Redirect, Bpf.RedirectPeer(6, 0));
    }
}
