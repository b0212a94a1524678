using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An array map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapArray
{
    static readonly ArrayMap<ulong> Stats = new(maxEntries: 4);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ref ulong n = ref Stats.Lookup(0);
        if (!Unsafe.IsNullRef(ref n)) n++;
        return XdpAction.Pass;
    }
}
