// Samples one packet in N (N in .rodata) with bpf_get_prandom_u32 and counts sampled packets and
// bytes per CPU (a per-CPU array of a struct).
using System.Runtime.CompilerServices;
using Ebpf;

public struct SampleStats { public ulong Seen; public ulong Sampled; public ulong SampledBytes; }

[BpfObject(License = "GPL")]
public static unsafe partial class XdpSample
{
    static readonly uint SampleEvery = 64;

    static readonly PerCpuArray<SampleStats> Stats = new(maxEntries: 1);

    [Xdp]
    static XdpAction Sample(XdpContext ctx)
    {
        ref SampleStats stats = ref Stats.Lookup(0);
        if (Unsafe.IsNullRef(ref stats)) return XdpAction.Pass;
        stats.Seen++;
        if (Bpf.GetPrandomU32() % SampleEvery != 0) return XdpAction.Pass;
        stats.Sampled++;
        stats.SampledBytes += (ulong)(ctx.DataEnd - ctx.Data);
        return XdpAction.Pass;
    }
}
