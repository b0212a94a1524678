// Socket filter: keeps IPv4 TCP packets (whole) and drops everything else, reading the
// headers with bpf_skb_load_bytes as socket filters must.
using System.Buffers.Binary;
using Ebpf;

[BpfObject(License = "GPL")]
public static partial class SocketTcpOnly
{
    [SocketFilter]
    static int TcpOnly(SkBuffContext skb)
    {
        if (Bpf.SkbLoadBytes(skb, 12, out ushort etherType) < 0) return 0;
        if (etherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return 0;
        if (Bpf.SkbLoadBytes(skb, 14 + 9, out byte protocol) < 0) return 0;
        return protocol == 6 ? (int)skb.Len : 0;
    }
}
