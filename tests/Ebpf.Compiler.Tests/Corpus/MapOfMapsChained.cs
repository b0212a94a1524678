using System.Runtime.CompilerServices;
using System.Threading;
using Ebpf;

/// <summary>Inner maps used without a local: a map method chained on the outer map's lookup (<c>!.</c>, tested by the
/// compiler) and a null-conditional update (<c>?.</c>); an inner hash held in a local is walked with
/// <c>Bpf.ForEachMapElem</c>.</summary>
[BpfObject(License = "GPL")]
public static partial class MapOfMapsChained
{
    static readonly ArrayOfMaps<ArrayMap<ulong>> PerCpuSlot = new(maxEntries: 4, innerMaxEntries: 8);
    static readonly HashOfMaps<uint, HashMap<uint, ulong>> PerPort = new(maxEntries: 16, innerMaxEntries: 64);
    static ulong Total;

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        if (PerCpuSlot.Lookup(0) is not null)
        {
            // Filled when last looked at (.NET would throw if user space emptied it since; eBPF gets a null ref).
            ref ulong hits = ref PerCpuSlot.Lookup(0)!.Lookup(1);
            if (!Unsafe.IsNullRef(ref hits)) Interlocked.Increment(ref hits);
        }
        PerPort.Lookup(80)?.Update(1, 2);
        var ports = PerPort.Lookup(443);
        if (ports is null) return XdpAction.Pass;
        ulong sum = 0;
        Bpf.ForEachMapElem(ports, static (in uint port, ref ulong count, ref ulong total) => { total += count; return 0; }, ref sum);
        Total = sum;
        return XdpAction.Drop;
    }
}
