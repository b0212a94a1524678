// Drops IPv4 packets from sources in a small blocklist: a bounded loop over the slots of an array
// map (address 0 ends the list), counting hits per slot.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Threading;
using Ebpf;

public struct Entry { public uint Address; public uint Hits; }

[BpfObject(License = "GPL")]
public static partial class XdpBlocklistLoop
{
    const uint Slots = 16;

    static readonly ArrayMap<Entry> Blocklist = new(maxEntries: Slots);

    [Xdp]
    static XdpAction Block(XdpContext ctx)
    {
        if (!ctx.TryRead(12, out ushort etherType) || etherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return XdpAction.Pass;
        if (!ctx.TryRead(14 + 12, out uint source)) return XdpAction.Pass;
        for (uint i = 0; i < Slots; i++)
        {
            ref Entry e = ref Blocklist.Lookup(i);
            if (Unsafe.IsNullRef(ref e) || e.Address == 0) break;
            if (e.Address == source)
            {
                Interlocked.Increment(ref e.Hits);
                return XdpAction.Drop;
            }
        }
        return XdpAction.Pass;
    }
}
