using System.Reflection;
using Ebpf.Tests.Support;
using OpenCounter;
using Probe = OpenCounter.OpenCounter;

namespace Ebpf.Tests.Samples;

/// <summary>The OpenCounter sample's program, run in-process against the managed maps and helpers.</summary>
[Collection(nameof(OpenCounterTests))]   // the sample's maps and globals are static: one test at a time
public sealed class OpenCounterTests : IDisposable
{
    delegate int OnOpenat(in SysEnterOpenatArgs args);

    readonly OnOpenat _program = StaticMembers.Method<OnOpenat>(typeof(Probe), "OnOpenat");
    readonly HashMap<uint, ulong> _counts = StaticMembers.Field<HashMap<uint, ulong>>(typeof(Probe), "Counts");

    public OpenCounterTests() => Reset();
    public void Dispose() => Reset();

    void Reset()
    {
        _counts.Clear();
        StaticMembers.SetField(typeof(Probe), "Misses", 0UL);
    }

    void OpenFrom(uint tgid, uint tid, int times)
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { Tgid = tgid, Pid = tid });
        var args = new SysEnterOpenatArgs { Dfd = -100, Flags = 0 };
        for (int i = 0; i < times; i++) Assert.Equal(0, _program(in args));
    }

    [Fact]
    public void Counts_opens_per_process_id_not_per_thread()
    {
        OpenFrom(tgid: 1000, tid: 1000, times: 3);
        OpenFrom(tgid: 1000, tid: 1001, times: 2);   // another thread of process 1000
        OpenFrom(tgid: 2000, tid: 2000, times: 4);

        var counts = _counts.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(new Dictionary<uint, ulong> { [1000] = 5, [2000] = 4 }, counts);
    }

    [Fact]
    public void Only_the_target_process_is_counted_when_TargetPid_is_set()
    {
        // TargetPid is .rodata: set before "load", i.e. before the class initializes, in a fresh copy.
        using var load = new FreshLoad();
        var probe = load.Type(typeof(Probe).FullName!);
        FreshLoad.SetReadOnlyGlobal(probe, "TargetPid", 2000u);
        var program = probe.GetMethod("OnOpenat", BindingFlags.Static | BindingFlags.NonPublic)!;
        var args = Activator.CreateInstance(load.Type(typeof(SysEnterOpenatArgs).FullName!));
        foreach (uint process in new uint[] { 1000, 2000, 1000, 2000, 1000 })
        {
            using var _ = BpfEnvironment.Use(new BpfEnvironment { ProcessId = process });
            Assert.Equal(0, program.Invoke(null, [args]));
        }

        var counts = StaticMembers.Field<HashMap<uint, ulong>>(probe, "Counts");
        Assert.Equal([new KeyValuePair<uint, ulong>(2000, 2)], counts.ToArray());
        Assert.Empty(_counts);   // the default load's map is a different map
    }

    [Fact]
    public void Opens_from_new_processes_are_missed_when_the_map_is_full()
    {
        for (uint pid = 1; pid <= _counts.MaxEntries; pid++) Assert.Equal(0, _counts.Update(pid, 1));
        OpenFrom(tgid: 99_999, tid: 99_999, times: 2);
        OpenFrom(tgid: 1, tid: 1, times: 1);   // an existing process is still counted

        Assert.Equal(2UL, StaticMembers.Field<ulong>(typeof(Probe), "Misses"));
        Assert.True(_counts.TryGetValue(1, out var one));
        Assert.Equal(2UL, one);
        Assert.False(_counts.TryGetValue(99_999, out _));
    }

    [Fact]
    public void Concurrent_opens_are_all_counted()
    {
        // The sample increments the map value with Interlocked through the ref Lookup returns.
        Parallel.For(0, 8, _ => OpenFrom(tgid: 7, tid: 7, times: 1000));
        Assert.True(_counts.TryGetValue(7, out var count));
        Assert.Equal(8000UL, count);
    }
}
