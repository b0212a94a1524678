using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A user ring buffer defined next to a program (no program-side drain yet).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapUserRingBuffer
{
    static readonly UserRingBuffer Commands = new(sizeBytes: 4096);
    static readonly ArrayMap<ulong> Seen = new(maxEntries: 1);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ref ulong n = ref Seen.Lookup(0);
        if (!Unsafe.IsNullRef(ref n)) n++;
        return XdpAction.Pass;
    }
}
