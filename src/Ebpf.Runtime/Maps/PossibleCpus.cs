namespace Ebpf.Runtime;

/// <summary>The number of possible CPUs (<c>/sys/devices/system/cpu/possible</c>): per-CPU maps hold one value
/// slot per possible CPU, not per online CPU.</summary>
public static class PossibleCpus
{
    const string PossiblePath = "/sys/devices/system/cpu/possible";
    static readonly Lazy<int> CountLazy = new(() => Parse(File.ReadAllText(PossiblePath)));

    public static int Count => CountLazy.Value;

    /// <summary>The CPUs online now (<c>/sys/devices/system/cpu/online</c>): where per-CPU perf events are opened.</summary>
    public static IReadOnlyList<int> Online => ParseList(File.ReadAllText("/sys/devices/system/cpu/online"));

    /// <summary>Counts the CPUs of a cpulist such as <c>0-3,8-11</c> or <c>0</c>.</summary>
    public static int Parse(string cpuList) => ParseList(cpuList).Count;

    /// <summary>The CPU numbers of a cpulist such as <c>0-3,8-11</c>.</summary>
    public static IReadOnlyList<int> ParseList(string cpuList)
    {
        var cpus = new List<int>();
        foreach (var part in cpuList.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-');
            if (bounds.Length is < 1 or > 2 || !int.TryParse(bounds[0], out int first) || first < 0)
                throw new FormatException($"malformed CPU list '{cpuList.Trim()}'");
            int last = first;
            if (bounds.Length == 2 && (!int.TryParse(bounds[1], out last) || last < first))
                throw new FormatException($"malformed CPU list '{cpuList.Trim()}'");
            for (int cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        if (cpus.Count == 0) throw new FormatException("empty CPU list");
        return cpus;
    }
}
