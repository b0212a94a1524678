using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>Inode storage (used from LSM programs, which cannot load here; the map is created).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapInodeStorage
{
    static readonly InodeStorage<ulong> Opens = new();
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
}
