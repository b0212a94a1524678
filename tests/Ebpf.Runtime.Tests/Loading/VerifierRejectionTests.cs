using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Loading;

// One test compares this process's BPF fds before and after: counted alone (see FdCountingCollection).
[Collection(FdCountingCollection.Name)]
public class VerifierRejectionTests(ITestOutputHelper output)
{
    static MapSpec Counts => new() { Name = "Counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16 };

    /// <summary>The OpenCounter mistake: a hash map value used without the null check.</summary>
    static ProgramSpec MissingNullCheck() => new ProgramBuilder("CountPackets", ProgramType.Xdp, "xdp", AttachType.Xdp)
        .Line("Probe.cs", 10, 9, "uint key = 0;")
        .Emit(Insn.StoreImm(MemSize.W, R10, -4, 0))
        .Line("Probe.cs", 11, 9, "ref ulong count = ref Counts.Lookup(key);")
        .Emit(Insn.Mov64(R2, R10))
        .Emit(Insn.Alu64(AluOp.Add, R2, -4))
        .LoadMap(R1, "Counts")
        .Helper(HelperId.MapLookupElem)
        .Line("Probe.cs", 12, 9, "count++;")
        .Emit(Insn.Load(MemSize.DW, R1, R0, 0))
        .Emit(Insn.Alu64(AluOp.Add, R1, 1))
        .Emit(Insn.Store(MemSize.DW, R0, 0, R1))
        .Line("Probe.cs", 13, 9, "return XdpAction.Pass;")
        .Emit(Insn.Mov64(R0, 2))
        .Emit(Insn.Exit())
        .Build();

    [SkippableFact]
    public void Map_value_without_null_check_is_reported_at_its_CSharp_line()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Maps.Add(Counts);
        spec.Programs.Add(MissingNullCheck());

        var e = Assert.Throws<VerifierException>(() => Collection.Load(spec));
        output.WriteLine(e.Message);
        Assert.StartsWith("Probe.cs(12,9): error EBPF2201: R0 invalid mem access 'map_value_or_null': a map lookup's result is used before it is tested", e.Message);
        Assert.Equal("CountPackets", e.ProgramName);
        Assert.Equal("EACCES", e.ErrnoName);
        Assert.Equal(6, e.InstructionSlot);                              // st 0, mov 1, add 2, ld_imm64 3-4, call 5, load 6
        Assert.Equal(new SourceLocation("Probe.cs", 12, 9, "count++;"), e.Location);
        Assert.Equal("r1 = *(u64 *)(r0 + 0)", e.Instruction.ToString());
        Assert.Contains("R0 invalid mem access 'map_value_or_null'", e.Log);
        Assert.Contains("processed ", e.Log);                             // the whole log, statistics included
        Assert.Contains("count++;", e.Message);
    }

    [SkippableFact]
    public void Rejection_inside_a_sub_program_names_the_function_and_its_line()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(ProgramBuilder.Subprogram("Add")
            .Line("Helpers.cs", 5, 13, "return x + y;")
            .Emit(Insn.Mov64(R0, R1))
            .Emit(Insn.Alu64(AluOp.Add, R0, R3))                          // r3 was never written: R3 !read_ok
            .Emit(Insn.Exit())
            .Build());
        spec.Programs.Add(new ProgramBuilder("Entry", ProgramType.SocketFilter, "socket")
            .Line("Probe.cs", 20, 9, "int a = 1;")
            .Emit(Insn.Mov64(R1, 1))
            .Line("Probe.cs", 21, 9, "return Add(a, 2);")
            .Emit(Insn.Mov64(R2, 2))
            .Call("Add")
            .Emit(Insn.Exit())
            .Build());

        var e = Assert.Throws<VerifierException>(() => Collection.Load(spec));
        output.WriteLine(e.Message);
        Assert.StartsWith("Helpers.cs(5,13): error EBPF2209: R3 !read_ok: ", e.Message);
        Assert.Equal("Add", e.FunctionName);
        Assert.Equal(5, e.InstructionSlot);                               // Entry is 4 slots; Add's second instruction
        Assert.Contains("in function 'Add'", e.Message);
    }

    [SkippableFact]
    public void Structural_errors_name_the_instruction_from_the_reason()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("Dead", ProgramType.SocketFilter, "socket")
            .Line("Dead.cs", 3, 5, "return 0;")
            .Emit(Insn.Mov64(R0, 0))
            .Emit(Insn.Exit())
            .Line("Dead.cs", 4, 5, "Unreachable();")
            .Emit(Insn.Mov64(R0, 1))
            .Emit(Insn.Exit())
            .Build());
        var e = Assert.Throws<VerifierException>(() => Collection.Load(spec));
        output.WriteLine(e.Message);
        Assert.Equal(2, e.InstructionSlot);
        Assert.StartsWith("Dead.cs(4,5): error EBPF2228: unreachable insn 2: ", e.Message);
        Assert.Equal("EINVAL", e.ErrnoName);
    }

    [SkippableFact]
    public void A_log_longer_than_the_buffer_is_fetched_whole()
    {
        Kernel.RequireBpf();
        var p = new ProgramBuilder("LongLog", ProgramType.SocketFilter, "socket");
        for (int i = 0; i < 300; i++) p.Emit(Insn.Mov64(R2, i));          // ~300 log lines before the error
        p.Line("Long.cs", 7, 3, "return r3;").Emit(Insn.Mov64(R0, R3)).Emit(Insn.Exit());
        var spec = new ObjectSpec();
        spec.Programs.Add(p.Build());

        var e = Assert.Throws<VerifierException>(() => Collection.Load(spec, new CollectionOptions { Programs = { LogSize = 4096 } }));
        Assert.True(e.Log.Length > 4096, $"log of {e.Log.Length} bytes");
        Assert.StartsWith("0: R1=ctx() R10=fp0", e.Log);                  // the beginning survived (the kernel keeps the tail when short)
        Assert.StartsWith("Long.cs(7,3): error EBPF2209: R3 !read_ok", e.Message);
        Assert.Equal(300, e.InstructionSlot);
    }

    [SkippableFact]
    public void A_requested_log_is_kept_on_success()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("Ok", ProgramType.SocketFilter, "socket").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build());
        using (var quiet = Collection.Load(spec))
            Assert.Null(quiet.GetProgram("Ok").VerifierLog);
        using var verbose = Collection.Load(spec, new CollectionOptions { Programs = { LogLevel = VerifierLogLevel.Statistics } });
        Assert.Contains("processed 2 insns", verbose.GetProgram("Ok").VerifierLog);
    }

    [SkippableFact]
    public void A_failed_load_removes_the_pins_it_made_and_keeps_those_it_reused()
    {
        Kernel.RequireBpf();
        string dir = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-rollback-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var options = new CollectionOptions { Maps = { PinPath = dir } };
            using (Map.Create(new MapSpec { Name = "Reused", Type = MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1, Pinning = MapPinning.ByName }, options.Maps)) { }
            var spec = new ObjectSpec();
            spec.Maps.Add(new MapSpec { Name = "Reused", Type = MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1, Pinning = MapPinning.ByName });
            spec.Maps.Add(new MapSpec { Name = "Counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16, Pinning = MapPinning.ByName });
            spec.Programs.Add(MissingNullCheck());

            Assert.Throws<VerifierException>(() => Collection.Load(spec, options));
            Assert.True(File.Exists(Path.Combine(dir, "Reused")));
            Assert.False(File.Exists(Path.Combine(dir, "Counts")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void A_failed_load_closes_everything_it_opened()
    {
        Kernel.RequireBpf();
        var spec = LoaderTests.GlobalsObject();
        spec.Maps.Add(Counts);
        spec.Maps.Add(LoaderTests.ArrayMap("Verdicts", 8, 5));
        spec.Programs.Add(LoaderTests.UdpDropper());                      // loads fine
        spec.Programs.Add(MissingNullCheck());                            // rejected: after 5 maps and 2 programs were opened

        // Warm up (first-use allocations of the runtime, e.g. epoll fds) so only the load's own fds are compared.
        using (Collection.Load(LoaderTests.GlobalsObject())) { }
        var before = OpenFds.Snapshot();
        Assert.Throws<VerifierException>(() => Collection.Load(spec));
        var after = OpenFds.Snapshot();
        // Only the BPF fds are compared: the test host opens and closes other fds (logs, pipes) at its own pace.
        Assert.Equal(before.Bpf, after.Bpf);

        // The same spec without the bad program loads, and then holds 5 maps + 2 programs (+ nothing else).
        spec.Programs.RemoveAt(spec.Programs.Count - 1);
        using (var collection = Collection.Load(spec))
        {
            var loaded = OpenFds.Snapshot();
            Assert.Equal(5, loaded.Bpf.Count(l => l == "anon_inode:bpf-map") - before.Bpf.Count(l => l == "anon_inode:bpf-map"));
            Assert.Equal(2, loaded.Bpf.Count(l => l == "anon_inode:bpf-prog") - before.Bpf.Count(l => l == "anon_inode:bpf-prog"));
        }
        Assert.Equal(before.Bpf, OpenFds.Snapshot().Bpf);
    }
}

/// <summary>This process's open file descriptors (<c>/proc/self/fd</c>), with the BPF ones by kind.</summary>
internal static class OpenFds
{
    public sealed record Fds(int All, List<string> Bpf);

    public static Fds Snapshot()
    {
        var targets = new List<string>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try { targets.Add(new FileInfo(fd).LinkTarget ?? ""); }
            catch (IOException) { } // the enumeration's own fd is gone by now
        }
        var bpf = targets.Where(t => t.StartsWith("anon_inode:bpf", StringComparison.Ordinal) || t == "anon_inode:btf").Order().ToList();
        return new Fds(targets.Count, bpf);
    }
}
