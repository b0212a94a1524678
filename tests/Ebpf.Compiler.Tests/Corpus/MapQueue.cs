using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A queue map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapQueue
{
    static readonly QueueMap<ulong> Pending = new(maxEntries: 16);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ulong stamp = Bpf.KtimeGetNs();
        Pending.Push(in stamp);
        return XdpAction.Pass;
    }
}
