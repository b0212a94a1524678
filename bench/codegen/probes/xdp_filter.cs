using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Ebpf;

namespace XdpFilter;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EthernetHeader
{
    public ulong DestinationAndSource0;   // 6 + 2 bytes of the MAC addresses
    public uint Source1;                  // remaining 4 bytes of the source MAC
    public ushort EtherType;              // network byte order
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionIhl;
    public byte Tos;
    public ushort TotalLength;
    public ushort Id;
    public ushort FragmentOffset;
    public byte Ttl;
    public byte Protocol;
    public ushort Checksum;
    public uint Source;
    public uint Destination;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct UdpHeader
{
    public ushort SourcePort;        // network byte order
    public ushort DestinationPort;   // network byte order
    public ushort Length;
    public ushort Checksum;
}

/// <summary>Drops UDP datagrams to the ports in <see cref="BlockedPorts"/>; counts passed and dropped packets.</summary>
[BpfObject(License = "GPL")]
public static partial class XdpFilter
{
    public const uint PassedSlot = 0;
    public const uint DroppedSlot = 1;
    const ushort EtherTypeIpv4 = 0x0800;
    const byte ProtocolUdp = 17;

    /// <summary>UDP destination ports (host byte order) to drop; the value is unused.</summary>
    static readonly HashMap<ushort, byte> BlockedPorts = new(maxEntries: 1024);

    /// <summary>Packet counters: slot 0 passed, slot 1 dropped.</summary>
    static readonly ArrayMap<ulong> Stats = new(maxEntries: 2);

    [Xdp]
    static XdpAction Filter(XdpContext ctx)
    {
        XdpAction action = Classify(ctx);
        uint slot = action == XdpAction.Drop ? DroppedSlot : PassedSlot;
        ref ulong counter = ref Stats.Lookup(slot);
        if (!Unsafe.IsNullRef(ref counter)) Interlocked.Increment(ref counter);
        return action;
    }

    /// <summary>Drop for a UDP/IPv4 datagram to a blocked port; pass for anything else, including truncated packets.</summary>
    static XdpAction Classify(XdpContext ctx)
    {
        if (!ctx.TryRead(0, out EthernetHeader eth)) return XdpAction.Pass;
        if (BinaryPrimitives.ReverseEndianness(eth.EtherType) != EtherTypeIpv4) return XdpAction.Pass;
        if (!ctx.TryRead(14, out Ipv4Header ip)) return XdpAction.Pass;
        if (ip.Protocol != ProtocolUdp) return XdpAction.Pass;
        int ipHeaderLength = (ip.VersionIhl & 0x0F) * 4;
        if (ipHeaderLength < 20) return XdpAction.Pass;
        if (!ctx.TryRead(14 + ipHeaderLength, out UdpHeader udp)) return XdpAction.Pass;
        ushort port = BinaryPrimitives.ReverseEndianness(udp.DestinationPort);
        ref byte blocked = ref BlockedPorts.Lookup(port);
        return Unsafe.IsNullRef(ref blocked) ? XdpAction.Pass : XdpAction.Drop;
    }
}
