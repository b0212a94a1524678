// Drops IPv4 packets whose header checksum is wrong: a bounded loop over the header's 16-bit words.
using System.Buffers.Binary;
using System.Threading;
using Ebpf;

[BpfObject(License = "GPL")]
public static partial class XdpIpv4Checksum
{
    static ulong BadChecksums;

    [Xdp]
    static XdpAction CheckIpv4(XdpContext ctx)
    {
        if (!ctx.TryRead(12, out ushort etherType) || etherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return XdpAction.Pass;
        uint sum = 0;
        for (int i = 0; i < 10; i++)
        {
            if (!ctx.TryRead(14 + 2 * i, out ushort word)) return XdpAction.Pass;
            sum += word;
        }
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        if ((ushort)~sum == 0) return XdpAction.Pass;
        Interlocked.Increment(ref BadChecksums);
        return XdpAction.Drop;
    }
}
