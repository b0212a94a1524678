using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A hash map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapHash
{
    static readonly HashMap<uint, ulong> Counts = new(maxEntries: 256);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        uint key = ctx.RxQueueIndex;
        ref ulong n = ref Counts.Lookup(key);
        if (Unsafe.IsNullRef(ref n)) Counts.Update(key, 1); else n++;
        return XdpAction.Pass;
    }
}
