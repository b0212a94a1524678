// Per-flow packet and byte counters keyed by the IPv4 5-tuple (a struct key and a struct value).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Ebpf;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EthernetHeader { public ulong Addresses0; public uint Addresses1; public ushort EtherType; }

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionIhl; public byte Tos; public ushort TotalLength; public ushort Id; public ushort FragmentOffset;
    public byte Ttl; public byte Protocol; public ushort Checksum; public uint Source; public uint Destination;
}

/// <summary>The two ports TCP and UDP headers both start with.</summary>
public struct Ports { public ushort Source; public ushort Destination; }

public struct FlowKey { public uint Source; public uint Destination; public ushort SourcePort; public ushort DestinationPort; public uint Protocol; }

public struct FlowStats { public ulong Packets; public ulong Bytes; }

[BpfObject(License = "GPL")]
public static unsafe partial class XdpFlowTable
{
    static readonly HashMap<FlowKey, FlowStats> Flows = new(maxEntries: 65536);

    [Xdp]
    static XdpAction TrackFlows(XdpContext ctx)
    {
        if (!ctx.TryRead(0, out EthernetHeader eth) || eth.EtherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return XdpAction.Pass;
        if (!ctx.TryRead(14, out Ipv4Header ip)) return XdpAction.Pass;
        int ipHeaderLength = (ip.VersionIhl & 0x0F) * 4;
        if (ipHeaderLength < 20 || (ip.Protocol != 6 && ip.Protocol != 17)) return XdpAction.Pass;
        if (!ctx.TryRead(14 + ipHeaderLength, out Ports ports)) return XdpAction.Pass;
        var key = new FlowKey
        {
            Source = ip.Source, Destination = ip.Destination, SourcePort = ports.Source, DestinationPort = ports.Destination, Protocol = ip.Protocol,
        };
        ulong length = (ulong)(ctx.DataEnd - ctx.Data);
        ref FlowStats stats = ref Flows.Lookup(key);
        if (!Unsafe.IsNullRef(ref stats))
        {
            Interlocked.Increment(ref stats.Packets);
            Interlocked.Add(ref stats.Bytes, length);
        }
        else
        {
            Flows.Update(key, new FlowStats { Packets = 1, Bytes = length });
        }
        return XdpAction.Pass;
    }
}
