using System.Buffers.Binary;

namespace Measure;

/// <summary>The test-run inputs: one Ethernet/IPv4 frame per transport, with a valid IPv4 header checksum.</summary>
static class Packets
{
    /// <summary>A UDP datagram from 10.0.0.1:12345 to 10.0.0.2:53, TTL 64, 64 bytes on the wire.</summary>
    public static byte[] Udp() => Frame(protocol: 17, transport: [0x30, 0x39, 0x00, 0x35, 0x00, 0x1e, 0x00, 0x00]);

    /// <summary>A TCP SYN from 10.0.0.1:12345 to 10.0.0.2:80.</summary>
    public static byte[] TcpSyn() => Frame(protocol: 6, transport:
        [0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);

    static byte[] Frame(byte protocol, byte[] transport)
    {
        var frame = new byte[64];
        byte[] destination = [0x02, 0, 0, 0, 0, 0x02], source = [0x02, 0, 0, 0, 0, 0x01];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(frame.Length - 14));
        ip[8] = 64;
        ip[9] = protocol;
        byte[] from = [10, 0, 0, 1], to = [10, 0, 0, 2];
        from.CopyTo(ip[12..]);
        to.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], HeaderChecksum(ip));
        transport.CopyTo(frame, 34);
        return frame;
    }

    static ushort HeaderChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
