using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A ring buffer.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapRingBuffer
{
    public struct Event { public uint Ifindex; public uint Len; }

    static readonly RingBuffer Events = new(sizeBytes: 4096);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ref Event e = ref Events.Reserve<Event>();
        if (!Unsafe.IsNullRef(ref e))
        {
            e.Ifindex = ctx.IngressIfindex;
            e.Len = ctx.IngressIfindex + 1;
            Events.Submit(ref e);
        }
        return XdpAction.Pass;
    }
}
