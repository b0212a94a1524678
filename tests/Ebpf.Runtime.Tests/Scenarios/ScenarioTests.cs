using Ebpf.Compiler.Pipeline;

namespace Ebpf.Runtime.Tests.Scenarios;

/// <summary>The same scenarios driven through the same API on two objects: clang's build of Reference/scenarios.bpf.c
/// and our compiler's build of Scenarios/ScenarioProbe.cs.txt, both compiled in the test run.</summary>
public class ScenarioTests
{
    public static TheoryData<string> Producers => new() { "clang", "csharp" };

    static readonly Lazy<byte[]> ClangObject = new(() =>
        File.ReadAllBytes(ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", "scenarios.bpf.c"))));

    static readonly Lazy<byte[]> CSharpObject = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Scenarios", "ScenarioProbe.cs.txt");
        var result = BpfCompiler.CompileSources([(File.ReadAllText(path), "ScenarioProbe.cs")]);
        if (!result.Success) throw new InvalidOperationException("our compiler failed:\n" + string.Join("\n", result.Errors));
        return result.Objects.Single().Elf;
    });

    static ObjectSpec Spec(string producer) => ElfObjectReader.Read(producer == "clang" ? ClangObject.Value : CSharpObject.Value);

    static Collection Load(string producer, Action<ObjectSpec>? configure = null)
    {
        var spec = Spec(producer);
        spec.SetVariable("TargetPid", (uint)Environment.ProcessId);
        configure?.Invoke(spec);
        return Collection.Load(spec, new CollectionOptions { ObjectName = "scen" });
    }

    [SkippableTheory, MemberData(nameof(Producers))]
    public void Tracepoint_counts_this_process_in_a_hash_and_a_per_cpu_array(string producer)
    {
        Kernel.RequireTracefs();
        using var c = Load(producer);
        using (c.GetProgram("OnGetppid").Attach())
            for (int i = 0; i < 25; i++) Native.GetParentPid();
        Assert.Equal(25UL, c.GetMap<uint, ulong>("Counts")[(uint)Environment.ProcessId]);
        var perCpu = c.GetPerCpuMap<uint, ulong>("PerCpuHits");
        var values = perCpu.Lookup(0);
        Assert.Equal(PossibleCpus.Count, values.Length);
        Assert.Equal(25UL, values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(25UL, perCpu.Sum(0, (a, b) => a + b));
    }

    [SkippableTheory, MemberData(nameof(Producers))]
    public void Uprobe_on_a_libc_function_by_symbol_counts_calls(string producer)
    {
        Kernel.RequireBpf();
        using var c = Load(producer);
        string libc = UprobeTargets.Libc();
        using (c.GetProgram("OnLibcGetppid").AttachUprobe(libc, "getppid", pid: Environment.ProcessId))
            for (int i = 0; i < 17; i++) Native.GetParentPid();
        Assert.Equal(17UL, c.GetMap<uint, ulong>("Counts")[(uint)Environment.ProcessId]);
    }

    [SkippableTheory, MemberData(nameof(Producers))]
    public void Xdp_test_runs_follow_the_rodata_configured_filter(string producer)
    {
        Kernel.RequireBpf();
        using var c = Load(producer, spec => spec.SetVariable("DropFirstByte", (byte)0xab));
        var filter = c.GetProgram("Filter");
        var frame = new byte[64];
        Assert.Equal(2u, filter.TestRun(frame).ReturnValue);              // XDP_PASS
        frame[0] = 0xab;
        Assert.Equal(1u, filter.TestRun(frame).ReturnValue);              // XDP_DROP
        Assert.Equal(1u, filter.TestRun(frame).ReturnValue);
        var stats = c.GetMap<uint, ulong>("XdpStats");
        Assert.Equal((1UL, 2UL), (stats[0], stats[1]));
    }

    [SkippableTheory, MemberData(nameof(Producers))]
    public void Batch_operations_match_single_operations_and_fall_back_without_kernel_support(string producer)
    {
        Kernel.RequireBpf();
        using var c = Load(producer);
        var table = c.GetMap<uint, ulong>("Table");
        foreach (bool disable in new[] { false, true })
        {
            table.Raw.BatchCommandsDisabled = disable;
            var keys = Enumerable.Range(1, 1000).Select(i => (uint)i).ToArray();
            var values = keys.Select(k => k * 10UL).ToArray();
            Assert.Equal(1000, table.UpdateBatch(keys, values));
            Assert.Equal(!disable, table.Raw.LastBatchUsedBatchCommands);
            Assert.Equal(50UL, table[5]);

            var all = table.ReadAll(batchSize: 128);
            Assert.Equal(keys.Order(), all.Select(kv => kv.Key).Order());
            Assert.All(all, kv => Assert.Equal(kv.Key * 10UL, kv.Value));

            // Delete the even keys (and two absent ones, which are skipped).
            var even = keys.Where(k => k % 2 == 0).Append(5000u).Append(6000u).ToArray();
            Assert.Equal(500, table.DeleteBatch(even));
            Assert.False(table.TryLookup(2, out _));

            var cursor = new MapBatchCursor();
            var outKeys = new uint[64];
            var outValues = new ulong[64];
            int drained = 0;
            while (!cursor.Done) drained += table.LookupAndDeleteBatch(cursor, outKeys, outValues);
            Assert.Equal(500, drained);
            Assert.Empty(table.Keys);
        }

        var perCpu = c.GetPerCpuMap<uint, ulong>("PerCpuTable");
        int cpus = perCpu.CpuCount;
        var pk = new uint[] { 1, 2, 3 };
        var pv = Enumerable.Range(0, 3 * cpus).Select(i => (ulong)i).ToArray();
        Assert.Equal(3, perCpu.UpdateBatch(pk, pv));
        var readKeys = new uint[8];
        var readValues = new ulong[8 * cpus];
        int n = perCpu.LookupBatch(new MapBatchCursor(), readKeys, readValues);
        Assert.Equal(3, n);
        for (int i = 0; i < n; i++)
            for (int cpu = 0; cpu < cpus; cpu++)
                Assert.Equal((ulong)(Array.IndexOf(pk, readKeys[i]) * cpus + cpu), readValues[i * cpus + cpu]);
    }
}
