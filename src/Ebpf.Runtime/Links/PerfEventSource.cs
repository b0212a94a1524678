namespace Ebpf.Runtime;

/// <summary>What a perf_event program samples (<c>struct perf_event_attr</c> type and config): every
/// <see cref="Period"/> events, or <see cref="Frequency"/> times a second.</summary>
public sealed record PerfEventSource(uint Type, ulong Config, ulong Period = 0, ulong Frequency = 0)
{
    /// <summary>PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE.</summary>
    public const uint TypeHardware = 0, TypeSoftware = 1;

    /// <summary>The CPU clock timer (PERF_COUNT_SW_CPU_CLOCK), <paramref name="frequencyHz"/> samples per second per CPU: works everywhere, VMs included.</summary>
    public static PerfEventSource CpuClock(ulong frequencyHz) => new(TypeSoftware, 0, Frequency: frequencyHz);

    /// <summary>CPU cycles (PERF_COUNT_HW_CPU_CYCLES), one sample every <paramref name="period"/> cycles; needs a hardware PMU.</summary>
    public static PerfEventSource CpuCycles(ulong period) => new(TypeHardware, 0, Period: period);

    public override string ToString() => (Type, Config) switch
    {
        (TypeSoftware, 0) => "cpu-clock",
        (TypeHardware, 0) => "cpu-cycles",
        _ => $"perf type {Type} config {Config}",
    } + (Frequency != 0 ? $" at {Frequency} Hz" : $" every {Period}");
}

/// <summary>A perf_event program attached to one sampling event per CPU (or one per process): a group of
/// <see cref="PerfEventLink"/>s detached together.</summary>
public sealed class PerfEventLinkGroup : ILink
{
    internal PerfEventLinkGroup(IReadOnlyList<PerfEventLink> links, string programName, string target)
    {
        Links = links;
        ProgramName = programName;
        Target = target;
    }

    public IReadOnlyList<PerfEventLink> Links { get; }
    public string ProgramName { get; }
    public string Target { get; }

    public void Detach() => Dispose();

    public void Dispose()
    {
        foreach (var link in Links) link.Dispose();
    }
}
