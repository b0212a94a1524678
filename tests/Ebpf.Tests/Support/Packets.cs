using System.Buffers.Binary;

namespace Ebpf.Tests.Support;

/// <summary>Builds Ethernet/IPv4/UDP frames byte by byte (network byte order), independently of the
/// header structs the probes declare.</summary>
internal static class Packets
{
    public static byte[] UdpHeader(ushort sourcePort, ushort destinationPort, int payload = 0)
    {
        var udp = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(0), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        return udp;
    }

    public static byte[] Udp(ushort destinationPort, ushort sourcePort = 40000, int payload = 4) =>
        Ipv4(protocol: 17, UdpHeader(sourcePort, destinationPort, payload));

    public static byte[] Ipv4(byte protocol, byte[] transport, int optionWords = 0)
    {
        int ipHeader = 20 + optionWords * 4;
        var frame = new byte[14 + ipHeader + transport.Length];
        // Ethernet: destination, source, EtherType 0x0800.
        new byte[] { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2 }.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = (byte)(0x40 | (ipHeader / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ipHeader + transport.Length));
        ip[8] = 64;
        ip[9] = protocol;
        new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }.CopyTo(ip[12..]);
        transport.CopyTo(frame, 14 + ipHeader);
        return frame;
    }
}
