using System.Diagnostics;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>Loading, attaching, reading and disposing returns every fd: the process's open fds (/proc/self/fd) come back
/// to where they started after 1,000 rounds. Counted alone: other tests running in parallel open fds of their own.</summary>
[Collection(FdCountingCollection.Name)]
public class LeakTests
{
    static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

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
        int before = OpenFds();
        for (int i = 0; i < 1000; i++) Round(i);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int after = OpenFds();
        Assert.True(after <= before, $"{after - before} fds leaked over 1000 rounds ({before} before, {after} after)");
    }
}

/// <summary>Tests that count the process's fds run after all others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdCountingCollection
{
    public const string Name = "fd counting";
}
