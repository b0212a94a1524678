using System.Buffers.Binary;
using Ebpf.Tests.Support;

namespace Ebpf.Tests.Contexts;

public unsafe class ChecksumTests
{
    const int IpOffset = 14;
    const int IpChecksumOffset = IpOffset + 10;

    static byte[] FrameWithValidIpChecksum()
    {
        var frame = Packets.Udp(destinationPort: 53);
        ushort checksum = InternetChecksum.Compute(frame.AsSpan(IpOffset, 20));
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(IpChecksumOffset), checksum);
        Assert.True(IpChecksumValid(frame));
        return frame;
    }

    static bool IpChecksumValid(byte[] frame) => InternetChecksum.Compute(frame.AsSpan(IpOffset, 20)) is 0 or 0xFFFF;

    [Fact]
    public void L3_replace_keeps_the_header_checksum_valid_after_a_4_byte_change()
    {
        using var packet = new SkBuffPacket(FrameWithValidIpChecksum());
        SkBuffContext skb = packet;
        Assert.True(skb.TryRead(IpOffset + 16, out uint oldDestination));
        uint newDestination = BinaryPrimitives.ReverseEndianness(0xC0A80001u);   // 192.168.0.1
        Assert.True(skb.TryWrite(IpOffset + 16, newDestination));
        Assert.False(IpChecksumValid(packet.ToArray()));
        Assert.Equal(0, Bpf.L3CsumReplace(skb, IpChecksumOffset, oldDestination, newDestination, 4));
        Assert.True(IpChecksumValid(packet.ToArray()));
    }

    [Fact]
    public void L3_replace_with_a_2_byte_field_and_with_a_csum_diff()
    {
        using var packet = new SkBuffPacket(FrameWithValidIpChecksum());
        SkBuffContext skb = packet;
        Assert.True(skb.TryRead(IpOffset + 8, out ushort ttlProtocol));
        ushort decremented = (ushort)(ttlProtocol - 1);             // TTL is the low byte in memory order
        skb.TryWrite(IpOffset + 8, decremented);
        Assert.Equal(0, Bpf.L3CsumReplace(skb, IpChecksumOffset, ttlProtocol, decremented, 2));
        Assert.True(IpChecksumValid(packet.ToArray()));

        // csum_diff over the source address, then replace by the diff (size 0).
        Assert.True(skb.TryRead(IpOffset + 12, out uint oldSource));
        uint newSource = BinaryPrimitives.ReverseEndianness(0x0A0A0A0Au);
        long diff = Bpf.CsumDiff(&oldSource, 4, &newSource, 4, 0);
        Assert.True(diff >= 0);
        skb.TryWrite(IpOffset + 12, newSource);
        Assert.Equal(0, Bpf.L3CsumReplace(skb, IpChecksumOffset, 0, (ulong)diff, 0));
        Assert.True(IpChecksumValid(packet.ToArray()));
    }

    [Fact]
    public void L4_replace_leaves_a_zero_udp_checksum_alone_with_mark_mangled_0()
    {
        using var packet = new SkBuffPacket(Packets.Udp(destinationPort: 53));   // UDP checksum 0: none
        uint udpChecksum = IpOffset + 20 + 6;
        Assert.Equal(0, Bpf.L4CsumReplace(packet, udpChecksum, 1, 2, ChecksumFlags.MarkMangled0 | 4));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(packet.ToArray().AsSpan((int)udpChecksum)));
        Assert.Equal(0, Bpf.L4CsumReplace(packet, udpChecksum, 1, 2, ChecksumFlags.MarkMangled0 | ChecksumFlags.MarkEnforce | 4));
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16LittleEndian(packet.ToArray().AsSpan((int)udpChecksum)));
    }

    [Fact]
    public void Errors_follow_the_kernel()
    {
        using var packet = new SkBuffPacket(new byte[20]);
        Assert.Equal(-Errno.EINVAL, Bpf.L3CsumReplace(packet, 0, 0, 0, 3));
        Assert.Equal(-Errno.EINVAL, Bpf.L3CsumReplace(packet, 0, 0, 0, 0x10));
        Assert.Equal(-Errno.EFAULT, Bpf.L3CsumReplace(packet, 19, 0, 0, 2));
        Assert.Equal(-Errno.EINVAL, Bpf.L4CsumReplace(packet, 0, 0, 0, 1 << 7));
        Assert.Equal(-Errno.EINVAL, Bpf.CsumDiff(new byte[3], [], 0));
        Assert.Equal(-Errno.EINVAL, Bpf.CsumDiff(new byte[256], new byte[260], 0));
    }
}
