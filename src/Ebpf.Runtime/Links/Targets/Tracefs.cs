namespace Ebpf.Runtime;

/// <summary>Tracepoint ids from tracefs (<c>/sys/kernel/tracing/events/CATEGORY/NAME/id</c>, or the older debugfs path).</summary>
public static class Tracefs
{
    static readonly string[] Roots = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    /// <summary>The tracefs mount in use, or null when none is mounted.</summary>
    public static string? Root => Roots.FirstOrDefault(r => Directory.Exists(Path.Combine(r, "events")));

    /// <summary>The id of tracepoint <paramref name="category"/>/<paramref name="name"/> (perf_event_attr.config).</summary>
    public static ulong TracepointId(string category, string name)
    {
        if (category.Length == 0 || name.Length == 0 || category.Contains('/') || name.Contains('/') || category.Contains("..") || name.Contains(".."))
            throw new ArgumentException($"invalid tracepoint '{category}/{name}': expected a category and an event name, e.g. syscalls/sys_enter_openat");
        var root = Root ?? throw new InvalidOperationException(
            "tracefs is not mounted, so tracepoint ids cannot be read: mount -t tracefs nodev /sys/kernel/tracing");
        var idFile = Path.Combine(root, "events", category, name, "id");
        if (!File.Exists(idFile))
        {
            string categoryDir = Path.Combine(root, "events", category);
            throw new ArgumentException(Directory.Exists(categoryDir)
                ? $"the kernel has no tracepoint '{category}/{name}' ({idFile} is missing)"
                : $"the kernel has no tracepoint category '{category}' ({categoryDir} is missing)");
        }
        return ulong.Parse(File.ReadAllText(idFile).Trim());
    }
}
