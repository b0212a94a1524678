// tc ingress: sets skb->mark from the destination port of TCP/UDP over IPv4; the mark for
// each class and the port ranges are .rodata set before load.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EthernetHeader { public ulong Addresses0; public uint Addresses1; public ushort EtherType; }

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionIhl; public byte Tos; public ushort TotalLength; public ushort Id; public ushort FragmentOffset;
    public byte Ttl; public byte Protocol; public ushort Checksum; public uint Source; public uint Destination;
}

public struct Ports { public ushort Source; public ushort Destination; }

[BpfObject(License = "GPL")]
public static partial class TcClassify
{
    static readonly ushort InteractiveMaxPort = 1024;
    static readonly uint InteractiveMark = 1;
    static readonly uint BulkMark = 2;

    [Tc(TcDirection.Ingress)]
    static TcAction Classify(SkBuffContext skb)
    {
        if (!skb.TryRead(0, out EthernetHeader eth) || eth.EtherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return TcAction.Ok;
        if (!skb.TryRead(14, out Ipv4Header ip)) return TcAction.Ok;
        int ipHeaderLength = (ip.VersionIhl & 0x0F) * 4;
        if (ipHeaderLength < 20 || (ip.Protocol != 6 && ip.Protocol != 17)) return TcAction.Ok;
        if (!skb.TryRead(14 + ipHeaderLength, out Ports ports)) return TcAction.Ok;
        skb.Mark = BinaryPrimitives.ReverseEndianness(ports.Destination) <= InteractiveMaxPort ? InteractiveMark : BulkMark;
        return TcAction.Ok;
    }
}
