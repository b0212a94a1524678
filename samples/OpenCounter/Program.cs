using Ebpf.Object;
using Ebpf.Runtime;

namespace OpenCounter;

/// <summary>User space of the OpenCounter sample: loads the embedded OpenCounter.bpf.o (compiled
/// from OpenCounter.Probe.cs at build time), optionally restricts it to one process, attaches it
/// to syscalls/sys_enter_openat and prints the top 10 processes by opens every second.</summary>
public static class Program
{
    const string Usage = "usage: OpenCounter [--pid PID] [--seconds N]   (Ctrl-C stops; run as root)";

    public static int Main(string[] args)
    {
        uint targetPid = 0;
        int? seconds = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pid" when i + 1 < args.Length && uint.TryParse(args[i + 1], out var p): targetPid = p; i++; break;
                case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s > 0: seconds = s; i++; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"OpenCounter: unexpected argument '{args[i]}'\n{Usage}"); return 2;
            }
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

        try
        {
            Run(targetPid, seconds, cancel);
            return 0;
        }
        catch (Exception e) when (e is LoadException or VerifierException or BpfException or ObjectFormatException)
        {
            Console.Error.WriteLine($"OpenCounter: {e.Message}");
            return 1;
        }
    }

    static void Run(uint targetPid, int? seconds, CancellationTokenSource cancel)
    {
        // The typed accessors are generated from OpenCounter.Probe.cs: the same C# declarations serve the
        // kernel and user space. .rodata is written before load and frozen: the verifier sees
        // TargetPid as a constant.
        using var probe = OpenCounter.Load(spec => spec.TargetPid = targetPid);
        probe.AttachAll();

        Console.WriteLine(targetPid == 0
            ? "Counting openat() per process; top 10 every second, Ctrl-C to stop."
            : $"Counting openat() of process {targetPid}; Ctrl-C to stop.");
        // --seconds counts from the attach: on a busy machine loading alone can take seconds.
        if (seconds is int n) cancel.CancelAfter(TimeSpan.FromSeconds(n));
        while (!cancel.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
            PrintTopTen(probe.Counts, probe.Misses);
    }

    static void PrintTopTen(Map<uint, ulong> counts, ulong misses)
    {
        var all = counts.ToList();  // one pass over the map: the count and the table agree
        var top = all.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(10);
        Console.WriteLine($"--- {DateTime.Now:HH:mm:ss}  processes: {all.Count}  not counted (map full): {misses}");
        Console.WriteLine($"{"PID",8}  {"COMM",-16}  {"OPENS",10}");
        foreach (var (pid, opens) in top)
            Console.WriteLine($"{pid,8}  {ProcessName(pid),-16}  {opens,10}");
    }

    static string ProcessName(uint pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n'); }
        catch (IOException) { return "(exited)"; }
    }
}
