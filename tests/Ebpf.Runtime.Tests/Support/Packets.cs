using System.Buffers.Binary;

namespace Ebpf.Runtime.Tests.Support;

/// <summary>Crafted Ethernet frames for test runs and raw sends.</summary>
internal static class Packets
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const byte ProtocolTcp = 6, ProtocolUdp = 17;

    /// <summary>Ethernet + IPv4 header (no options) + 8 payload bytes, with the given IP protocol.</summary>
    public static byte[] Ipv4(byte protocol, int payload = 8)
    {
        var frame = new byte[14 + 20 + payload];
        Ethernet(frame, EtherTypeIpv4);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;                                              // version 4, IHL 5
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + payload));
        ip[8] = 64;                                                // TTL
        ip[9] = protocol;
        ip[12..16].Fill(10);                                       // 10.10.10.10 -> 10.0.0.1
        ip[16] = 10; ip[19] = 1;
        return frame;
    }

    /// <summary>A frame of an arbitrary EtherType (60 bytes, the Ethernet minimum without FCS).</summary>
    public static byte[] WithEtherType(ushort etherType, byte marker = 0)
    {
        var frame = new byte[60];
        Ethernet(frame, etherType);
        frame[14] = marker;
        return frame;
    }

    static void Ethernet(Span<byte> frame, ushort etherType)
    {
        frame[..6].Fill(0xff);                                     // destination: broadcast
        frame[6] = 0x02; frame[11] = 0x01;                         // source: locally administered 02:00:00:00:00:01
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }
}
