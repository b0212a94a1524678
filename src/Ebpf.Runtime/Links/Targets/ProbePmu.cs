namespace Ebpf.Runtime;

/// <summary>The dynamic perf PMUs for probes (<c>/sys/bus/event_source/devices/{kprobe,uprobe}</c>): their perf type
/// number and the config bit that makes a return probe.</summary>
internal static class ProbePmu
{
    const string Devices = "/sys/bus/event_source/devices";

    public static bool Exists(string pmu) => File.Exists(Path.Combine(Devices, pmu, "type"));

    public static uint Type(string pmu) => uint.Parse(File.ReadAllText(Path.Combine(Devices, pmu, "type")).Trim());

    /// <summary>Bit of <c>config</c> selecting a return probe: the <c>format/retprobe</c> file says <c>config:N</c> (0 everywhere so far).</summary>
    public static int ReturnProbeBit(string pmu)
    {
        var file = Path.Combine(Devices, pmu, "format", "retprobe");
        if (!File.Exists(file)) return 0;
        var text = File.ReadAllText(file).Trim();
        return text.StartsWith("config:", StringComparison.Ordinal) && int.TryParse(text["config:".Length..], out int bit) ? bit : 0;
    }

    /// <summary>Lowest bit of <c>config</c> holding a uprobe's reference counter (semaphore) offset: <c>format/ref_ctr_offset</c>
    /// says <c>config:32-63</c>; null when the PMU has no such field (kernels before 4.20).</summary>
    public static int? ReferenceCounterShift(string pmu)
    {
        var file = Path.Combine(Devices, pmu, "format", "ref_ctr_offset");
        if (!File.Exists(file)) return null;
        var text = File.ReadAllText(file).Trim();
        int dash = text.IndexOf('-');
        return text.StartsWith("config:", StringComparison.Ordinal) && dash > 0 && int.TryParse(text["config:".Length..dash], out int bit) ? bit : null;
    }
}
