using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A perf_event program counting samples.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class PerfEventSample
{
    static ulong Samples;

    [PerfEvent]
    static int OnSample(PerfEventContext ctx) { if (ctx.SamplePeriod > 0) Samples++; return 0; }
}
