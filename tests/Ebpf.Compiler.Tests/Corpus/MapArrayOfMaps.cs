using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Ebpf;

/// <summary>An array of maps whose inner maps are 4-entry arrays (user space fills the slots); the program counts
/// in the inner map of slot 0 when user space stored one.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapArrayOfMaps
{
    static readonly ArrayOfMaps<ArrayMap<ulong>> PerTenant = new(maxEntries: 8, innerMaxEntries: 4);
    static ulong Runs;

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        Runs++;
        var tenant = PerTenant.Lookup(0);
        if (tenant == null) return XdpAction.Pass;
        ref ulong hits = ref tenant.Lookup(1);
        if (Unsafe.IsNullRef(ref hits)) return XdpAction.Aborted;
        Interlocked.Increment(ref hits);
        return XdpAction.Drop;
    }
}
