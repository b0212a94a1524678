// Counts TCP SYNs (without ACK) per destination port in a per-CPU hash map.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct TcpHeader
{
    public ushort SourcePort; public ushort DestinationPort; public uint Sequence; public uint Acknowledgment;
    public byte DataOffset; public byte Flags; public ushort Window; public ushort Checksum; public ushort Urgent;
}

[BpfObject(License = "GPL")]
public static partial class XdpSynCounter
{
    const byte Syn = 0x02, Ack = 0x10;

    static readonly PerCpuHashMap<ushort, ulong> SynCounts = new(maxEntries: 4096);

    [Xdp]
    static XdpAction CountSyn(XdpContext ctx)
    {
        if (!ctx.TryRead(0, out EthernetHeader eth) || eth.EtherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return XdpAction.Pass;
        if (!ctx.TryRead(14, out Ipv4Header ip) || ip.Protocol != 6) return XdpAction.Pass;
        int ipHeaderLength = (ip.VersionIhl & 0x0F) * 4;
        if (ipHeaderLength < 20 || !ctx.TryRead(14 + ipHeaderLength, out TcpHeader tcp)) return XdpAction.Pass;
        if ((tcp.Flags & (Syn | Ack)) != Syn) return XdpAction.Pass;
        ushort port = BinaryPrimitives.ReverseEndianness(tcp.DestinationPort);
        ref ulong count = ref SynCounts.Lookup(port);
        if (!Unsafe.IsNullRef(ref count)) count++;
        else SynCounts.Update(port, 1, MapUpdate.NoExist);
        return XdpAction.Pass;
    }
}
