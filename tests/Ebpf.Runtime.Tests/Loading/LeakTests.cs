using System.Diagnostics;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>Loading, attaching, reading and disposing returns every fd: the process's open fds (/proc/self/fd) come back
/// to where they started after 1,000 rounds.</summary>
/// <remarks>Counted alone: other tests running in parallel open fds of their own. The .NET runtime and the test host open fds lazily too (pipes, sockets, its own epoll for async I/O): the check
/// compares what each fd is, so a leak is named by kind, and counts every fd of a kind this runtime opens.</remarks>
[Collection(FdCountingCollection.Name)]
public class LeakTests
{
    /// <summary>What each open fd refers to (<c>anon_inode:bpf-map</c>, <c>anon_inode:[perf_event]</c>, a path, <c>pipe:[…]</c>).</summary>
    static List<string> OpenFds()
    {
        var kinds = new List<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try { kinds.Add(Kind(new FileInfo(fd).LinkTarget ?? "?")); }
            catch (IOException) { }                                      // the directory listing's own fd, closed since
        }
        return kinds;
    }

    /// <summary>Pipes and sockets differ by inode number only: they count as one kind each.</summary>
    static string Kind(string target) => target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe"
        : target.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : target;

    /// <summary>Fds this runtime opens: bpf objects, perf events, epoll sets, tracefs, bpffs and sysfs files.</summary>
    static bool OpenedByThisRuntime(string kind) => kind.StartsWith("anon_inode:", StringComparison.Ordinal)
        || kind.StartsWith("/sys/", StringComparison.Ordinal);

    /// <summary>The fds in <paramref name="after"/> beyond those in <paramref name="before"/>, as "count × kind".</summary>
    static List<(string Kind, int Count)> Added(List<string> before, List<string> after) =>
        after.GroupBy(k => k).Select(g => (g.Key, g.Count() - before.Count(b => b == g.Key))).Where(d => d.Item2 > 0).ToList();

    [SkippableFact]
    public void Load_attach_read_and_dispose_1000_times_leaves_no_fd_behind()
    {
        Kernel.RequireTracefs();
        var spec = ElfObjectReader.ReadFile(ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", "scenarios.bpf.c")));
        spec.SetVariable("TargetPid", (uint)Environment.ProcessId);
        var events = ElfObjectReader.ReadFile(ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", "events.bpf.c")));

        void Round(int i)
        {
            // One program per round keeps the verifier's share (most of the time) small.
            using var c = Collection.Load(spec, new CollectionOptions { ObjectName = "leak", ShouldLoad = p => p.Name == "OnGetppid" });
            using (c.GetProgram("OnGetppid").Attach()) Native.GetParentPid();
            if (i % 50 == 0)
            {
                // Every fiftieth round also opens the event readers (perf events, mmaps, epoll fds).
                using var e = Collection.Load(events, new CollectionOptions { ObjectName = "leakev" });
                using var rb = new RingBufferReader(e.GetMap("rb"));
                using var pb = new PerfBufferReader(e.GetMap("pb"), new PerfBufferOptions { PagesPerCpu = 1 });
                using var poller = new RingBufferPoller();
                poller.Add(e.GetMap("exec_rb"), _ => { });
                poller.Poll(TimeSpan.Zero);
                pb.Drain((_, _) => { });
            }
        }

        Round(0);                                                         // lazily opened runtime state (probes, caches) first
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = OpenFds();
        for (int i = 0; i < 1000; i++) Round(i);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var after = OpenFds();
        var added = Added(before, after);
        var leaked = added.Where(a => OpenedByThisRuntime(a.Kind)).ToList();
        Assert.True(leaked.Count == 0,
            $"fds leaked over 1000 rounds ({before.Count} before, {after.Count} after): {string.Join(", ", leaked.Select(l => $"{l.Count} x {l.Kind}"))}");
        // Fds of other kinds (the host's pipes and sockets) may appear once; per-round leaks of them would still show
        // as hundreds.
        Assert.True(added.Sum(a => a.Count) < 10,
            $"{added.Sum(a => a.Count)} fds more after 1000 rounds: {string.Join(", ", added.Select(l => $"{l.Count} x {l.Kind}"))}");
    }
}

/// <summary>Tests that count the process's fds run after all others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdCountingCollection
{
    public const string Name = "fd counting";
}
