using System.Diagnostics;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Integration.Tests;

/// <summary>The OpenCounter sample compiled by our compiler, loaded by our runtime into the real
/// verifier, attached to syscalls/sys_enter_openat, and checked against a child process that makes
/// an exact number of openat() calls.</summary>
public sealed class OpenCounterTests
{
    /// <summary>A shell that says "ready", waits for a line on stdin, then opens /dev/null
    /// <paramref name="opens"/> times with a builtin (no fork: every openat is the shell's own;
    /// strace shows none else after the read).</summary>
    static Process StartChild(int opens)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"echo ready; read go; i=0; while [ $i -lt {opens} ]; do : < /dev/null; i=$((i+1)); done");
        var child = Process.Start(psi)!;
        Assert.Equal("ready", child.StandardOutput.ReadLine());
        return child;
    }

    static void Release(Process child)
    {
        child.StandardInput.WriteLine("go");
        child.StandardInput.Flush();
        Assert.True(child.WaitForExit(10_000), "child did not finish");
        Assert.Equal(0, child.ExitCode);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(250)]
    public void Attached_program_counts_exactly_the_opens_of_the_target_child(int opens)
    {
        Kernel.RequireTracefs();
        using var child = StartChild(opens);
        var spec = SampleObjects.Compile("OpenCounter").Spec;
        spec.SetVariable("TargetPid", (uint)child.Id);

        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "OpenCounter" });
        using (collection.GetProgram("OnOpenat").AttachTracepoint("syscalls", "sys_enter_openat"))
        {
            Release(child);
        }
        var counts = collection.GetMap<uint, ulong>("Counts");
        Assert.Equal((ulong)opens, counts.Lookup((uint)child.Id));
        // TargetPid filters everything else out.
        Assert.Equal([(uint)child.Id], counts.Select(kv => kv.Key).ToArray());
        Assert.Equal(0ul, collection.ReadVariable<ulong>("Misses"));
    }

    [SkippableFact]
    public void Without_a_target_pid_every_process_is_counted()
    {
        Kernel.RequireTracefs();
        const int opens = 40;
        using var child = StartChild(opens);
        using var collection = Collection.Load(SampleObjects.Compile("OpenCounter").Spec, new CollectionOptions { ObjectName = "OpenCounter" });
        using (collection.GetProgram("OnOpenat").Attach())
        {
            Release(child);
            File.ReadAllText("/proc/self/stat");  // this process opens too
        }
        var counts = collection.GetMap<uint, ulong>("Counts");
        Assert.Equal((ulong)opens, counts.Lookup((uint)child.Id));
        Assert.True(counts.TryLookup((uint)Environment.ProcessId, out var own) && own >= 1, "the test process's own open was not counted");
    }

    [SkippableFact]
    public void A_full_map_counts_misses_in_bss()
    {
        Kernel.RequireTracefs();
        const int opens = 3;
        using var child = StartChild(opens);
        var spec = SampleObjects.Compile("OpenCounter").Spec;
        spec.SetVariable("TargetPid", (uint)child.Id);
        spec.Maps.Single(m => m.Name == "Counts").MaxEntries = 1;  // spec, then load: resize before load

        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "OpenCounter" });
        var counts = collection.GetMap<uint, ulong>("Counts");
        counts.Update(uint.MaxValue, 0);  // fill the only slot with a pid that never runs
        using (collection.GetProgram("OnOpenat").AttachTracepoint("syscalls", "sys_enter_openat"))
        {
            Release(child);
        }
        Assert.False(counts.TryLookup((uint)child.Id, out _));
        Assert.Equal((ulong)opens, collection.ReadVariable<ulong>("Misses"));
    }
}
