// tc egress: drops packets longer than a .rodata limit and counts drops per protocol in an array.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Threading;
using Ebpf;

[BpfObject(License = "GPL")]
public static partial class TcSizeLimit
{
    static readonly uint MaxLength = 1500;

    static readonly ArrayMap<ulong> Drops = new(maxEntries: 4);

    [Tc(TcDirection.Egress)]
    static TcAction Limit(SkBuffContext skb)
    {
        if (skb.Len <= MaxLength) return TcAction.Ok;
        uint slot = BinaryPrimitives.ReverseEndianness((ushort)skb.Protocol) switch
        {
            0x0800 => 1,
            0x86DD => 2,
            0x0806 => 3,
            _ => 0,
        };
        ref ulong drops = ref Drops.Lookup(slot);
        if (!Unsafe.IsNullRef(ref drops)) Interlocked.Increment(ref drops);
        return TcAction.Shot;
    }
}
