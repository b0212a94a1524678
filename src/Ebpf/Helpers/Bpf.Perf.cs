using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>struct bpf_perf_event_value: a counter with the times it was enabled and running (for scaling when multiplexed).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BpfPerfEventValue
{
    /// <summary>The counter value.</summary>
    public ulong Counter;
    /// <summary>Nanoseconds the event was enabled.</summary>
    public ulong Enabled;
    /// <summary>Nanoseconds the event was running (less than enabled when the PMU was multiplexed).</summary>
    public ulong Running;
}

// Perf event counters and output.
public static partial class Bpf
{
    /// <summary>Reads the counter of the perf event at the index in <paramref name="flags"/> (default: the current CPU's).</summary>
    /// <remarks><c>bpf_perf_event_read(map, flags)</c>, kernel 4.3. Errors come back as large values (negative
    /// errnos cast to u64): prefer <see cref="PerfEventReadValue"/>. Managed: <see cref="PerfEventArray.SetCounter"/>.</remarks>
    [BpfHelper(22)]
    public static ulong PerfEventRead(PerfEventArray map, ulong flags = PerfEventArray.CurrentCpu)
    {
        long error = map.ReadCounter(flags, out var value);
        return error != 0 ? (ulong)error : value.Counter;
    }

    /// <summary>Reads the counter of the perf event at the index in <paramref name="flags"/>, with its enabled and running
    /// times; returns 0 or a negative errno (the value zeroed).</summary>
    /// <remarks><c>bpf_perf_event_read_value(map, flags, &amp;value, sizeof(value))</c>, kernel 4.15.</remarks>
    [BpfHelper(55)]
    public static long PerfEventReadValue(PerfEventArray map, ulong flags, out BpfPerfEventValue value) => map.ReadCounter(flags, out value);

    /// <summary>Reads the counter of the perf event that triggered this perf_event program.</summary>
    /// <remarks><c>bpf_perf_prog_read_value(ctx, &amp;value, sizeof(value))</c>, kernel 4.15. Managed:
    /// <see cref="BpfEnvironment.PerfEventValue"/>.</remarks>
    [BpfHelper(56)]
    public static long PerfProgReadValue(PerfEventContext ctx, out BpfPerfEventValue value)
    {
        value = Env.PerfEventValue;
        return 0;
    }

    /// <summary>Sends <paramref name="data"/> as a sample to the perf event at the index in <paramref name="flags"/>.</summary>
    /// <remarks><c>bpf_perf_event_output(ctx, map, flags, &amp;data, sizeof(T))</c>, kernel 4.4: the same as
    /// <see cref="PerfEventArray.Output{TContext, T}(TContext, in T, ulong)"/>.</remarks>
    [BpfHelper(25)]
    public static long PerfEventOutput<TContext, T>(TContext ctx, PerfEventArray map, ulong flags, in T data) where T : unmanaged =>
        map.Output(ctx, data, flags);
}
