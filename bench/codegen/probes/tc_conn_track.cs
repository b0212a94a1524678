// tc egress: remembers the last time each IPv4 destination was contacted and how many packets it
// got, in an LRU hash map with a struct value.
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

public struct Peer { public ulong LastSeenNs; public ulong Packets; public uint LastLength; public uint LastProtocol; }

[BpfObject(License = "GPL")]
public static partial class TcConnTrack
{
    static readonly LruHashMap<uint, Peer> Peers = new(maxEntries: 16384);

    [Tc(TcDirection.Egress)]
    static TcAction TrackPeers(SkBuffContext skb)
    {
        if (!skb.TryRead(0, out EthernetHeader eth) || eth.EtherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return TcAction.Ok;
        if (!skb.TryRead(14, out Ipv4Header ip)) return TcAction.Ok;
        ulong now = Bpf.KtimeGetNs();
        ref Peer peer = ref Peers.Lookup(ip.Destination);
        if (!Unsafe.IsNullRef(ref peer))
        {
            peer.LastSeenNs = now;
            peer.Packets++;
            peer.LastLength = skb.Len;
            peer.LastProtocol = ip.Protocol;
        }
        else
        {
            Peers.Update(ip.Destination, new Peer { LastSeenNs = now, Packets = 1, LastLength = skb.Len, LastProtocol = ip.Protocol });
        }
        return TcAction.Ok;
    }
}
