// Router-style TTL decrement: drops IPv4 packets whose TTL would reach 0, otherwise decrements it
// and patches the header checksum incrementally (RFC 1624).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionIhl; public byte Tos; public ushort TotalLength; public ushort Id; public ushort FragmentOffset;
    public byte Ttl; public byte Protocol; public ushort Checksum; public uint Source; public uint Destination;
}

[BpfObject(License = "GPL")]
public static unsafe partial class XdpTtlRewrite
{
    [Xdp]
    static XdpAction DecrementTtl(XdpContext ctx)
    {
        if (!ctx.TryRead(12, out ushort etherType) || etherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return XdpAction.Pass;
        byte* data = ctx.Data;
        if (data + 14 + sizeof(Ipv4Header) > ctx.DataEnd) return XdpAction.Pass;
        var ip = (Ipv4Header*)(data + 14);
        if (ip->Ttl <= 1) return XdpAction.Drop;
        uint check = ip->Checksum;
        check += BinaryPrimitives.ReverseEndianness((ushort)0x0100);
        ip->Checksum = (ushort)(check + (check >= 0xFFFF ? 1u : 0u));
        ip->Ttl--;
        return XdpAction.Pass;
    }
}
