using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cpumap spreading packets over CPUs.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapCpuMap
{
    static readonly CpuMap Cpus = new(maxEntries: 2);

    [Xdp]
    static XdpAction Count(XdpContext ctx) => Cpus.Redirect(ctx.RxQueueIndex & 1, XdpAction.Pass);
}
