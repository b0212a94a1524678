namespace Ebpf.Runtime.Tests.Scenarios;

internal static class UprobeTargets
{
    /// <summary>The libc this process has mapped (from /proc/self/maps).</summary>
    public static string Libc()
        => File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
               .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libc.so", StringComparison.Ordinal))
               .Select(f => f[5]).FirstOrDefault()
           ?? throw new InvalidOperationException("libc is not mapped in this process");
}
