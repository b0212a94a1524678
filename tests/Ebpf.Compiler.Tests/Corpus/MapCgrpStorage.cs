using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>Cgroup storage (the map is created; no program-side helper in the API yet).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapCgrpStorage
{
    static readonly CgrpStorage<ulong> PerCgroup = new();
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
}
