using System.Buffers.Binary;

namespace XdpFilter;

/// <summary>Crafted Ethernet frames for exercising the filter with BPF_PROG_TEST_RUN.</summary>
public static class Packets
{
    static readonly byte[] DestinationMac = [0x02, 0, 0, 0, 0, 0x01];
    static readonly byte[] SourceMac = [0x02, 0, 0, 0, 0, 0x02];

    /// <summary>Ethernet + IPv4 (20-byte header, or longer with <paramref name="ipOptionsBytes"/>) + UDP to <paramref name="port"/>.</summary>
    public static byte[] Udp(ushort port, int payloadBytes = 8, int ipOptionsBytes = 0) =>
        Ipv4(17, Transport(sourcePort: 40000, port, payloadBytes, udp: true), ipOptionsBytes);

    /// <summary>Ethernet + IPv4 + a TCP header to <paramref name="port"/> (must pass whatever the port).</summary>
    public static byte[] Tcp(ushort port) => Ipv4(6, Transport(sourcePort: 40000, port, 0, udp: false), 0);

    /// <summary>An ARP request (not IPv4: must pass).</summary>
    public static byte[] Arp()
    {
        var frame = new byte[14 + 28];
        WriteEthernet(frame, 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1);       // hardware type Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800);  // protocol IPv4
        frame[18] = 6; frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 1);       // request
        return frame;
    }

    /// <summary>The first <paramref name="length"/> bytes of a frame: a truncated packet.</summary>
    public static byte[] Truncate(byte[] frame, int length) => frame[..length];

    static byte[] Ipv4(byte protocol, byte[] transport, int optionsBytes)
    {
        int ihl = 20 + optionsBytes;
        var frame = new byte[14 + ihl + transport.Length];
        WriteEthernet(frame, 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = (byte)(0x40 | (ihl / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ihl + transport.Length));
        ip[8] = 64;
        ip[9] = protocol;
        ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 2;  // 198.18.0.2 (RFC 2544 test range)
        ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..ihl]));
        transport.CopyTo(ip[ihl..]);
        return frame;
    }

    static byte[] Transport(ushort sourcePort, ushort port, int payloadBytes, bool udp)
    {
        var header = new byte[(udp ? 8 : 20) + payloadBytes];
        BinaryPrimitives.WriteUInt16BigEndian(header, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), port);
        if (udp) BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)header.Length);
        else header[12] = 5 << 4;  // TCP data offset: 5 words
        return header;
    }

    static void WriteEthernet(byte[] frame, ushort etherType)
    {
        DestinationMac.CopyTo(frame, 0);
        SourceMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
    }

    static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
