using System.Text.Json;
using Ebpf.Btf;

namespace Ebpf.Runtime.Tests.Loading;

public class LoaderTests
{
    /// <summary>XDP: drop IPv4/UDP, pass everything else; counts each verdict in an array map indexed by action.</summary>
    internal static ProgramSpec UdpDropper()
    {
        var p = new ProgramBuilder("udp_drop", ProgramType.Xdp, "xdp", AttachType.Xdp);
        p.Emit(Insn.Mov64(R6, 2))                                             // verdict = XDP_PASS
         .Emit(Insn.Load(MemSize.W, R2, R1, 0))                              // data
         .Emit(Insn.Load(MemSize.W, R3, R1, 4))                              // data_end
         .Emit(Insn.Mov64(R4, R2))
         .Emit(Insn.Alu64(AluOp.Add, R4, 34))                                // eth (14) + ipv4 (20)
         .Jump(Insn.Jump(JumpOp.Jgt, R4, R3), "count")
         .Emit(Insn.Load(MemSize.H, R5, R2, 12))                             // ethertype, big-endian in memory
         .Jump(Insn.Jump(JumpOp.Jne, R5, 0x0008), "count")                   // 0x0800 read little-endian
         .Emit(Insn.Load(MemSize.B, R5, R2, 23))                             // ip->protocol
         .Jump(Insn.Jump(JumpOp.Jne, R5, 17), "count")
         .Emit(Insn.Mov64(R6, 1))                                            // XDP_DROP
         .Label("count")
         .Emit(Insn.Store(MemSize.W, R10, -4, R6))
         .Emit(Insn.Mov64(R2, R10))
         .Emit(Insn.Alu64(AluOp.Add, R2, -4))
         .LoadMap(R1, "Verdicts")
         .Helper(HelperId.MapLookupElem)
         .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "out")
         .Emit(Insn.Mov64(R1, 1))
         .Emit(Insn.Atomic(MemSize.DW, AtomicOp.Add, R0, 0, R1))
         .Label("out")
         .Emit(Insn.Mov64(R0, R6))
         .Emit(Insn.Exit());
        return p.Build();
    }

    internal static MapSpec ArrayMap(string name, uint valueSize, uint entries)
        => new() { Name = name, Type = MapType.Array, KeySize = 4, ValueSize = valueSize, MaxEntries = entries };

    [SkippableFact]
    public void Xdp_test_run_returns_the_verdict_for_crafted_packets()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Maps.Add(ArrayMap("Verdicts", 8, 5));
        spec.Programs.Add(UdpDropper());
        using var collection = Collection.Load(spec);
        var program = collection.GetProgram("udp_drop");

        Assert.Equal(1u, program.TestRun(Packets.Ipv4(Packets.ProtocolUdp)).ReturnValue);       // XDP_DROP
        Assert.Equal(2u, program.TestRun(Packets.Ipv4(Packets.ProtocolTcp)).ReturnValue);       // XDP_PASS
        Assert.Equal(2u, program.TestRun(Packets.WithEtherType(0x86dd)).ReturnValue);           // IPv6: pass
        var truncated = Packets.Ipv4(Packets.ProtocolUdp)[..20];                                   // too short for the IP header
        Assert.Equal(2u, program.TestRun(truncated).ReturnValue);
        var run = program.TestRun(Packets.Ipv4(Packets.ProtocolUdp), repeat: 10);
        Assert.Equal(1u, run.ReturnValue);
        Assert.Equal(Packets.Ipv4(Packets.ProtocolUdp), run.Data);

        var verdicts = collection.GetMap<uint, ulong>("Verdicts");
        Assert.Equal(11UL, verdicts[1]);
        Assert.Equal(3UL, verdicts[2]);

        using var standalone = Program.Load(UdpDropperWithoutMap());
        Assert.Equal(1u, standalone.TestRun(Packets.Ipv4(Packets.ProtocolUdp)).ReturnValue);
    }

    static ProgramSpec UdpDropperWithoutMap()
    {
        var p = new ProgramBuilder("udp_drop_nomap", ProgramType.Xdp, "xdp", AttachType.Xdp);
        p.Emit(Insn.Mov64(R0, 2))
         .Emit(Insn.Load(MemSize.W, R2, R1, 0))
         .Emit(Insn.Load(MemSize.W, R3, R1, 4))
         .Emit(Insn.Mov64(R4, R2))
         .Emit(Insn.Alu64(AluOp.Add, R4, 34))
         .Jump(Insn.Jump(JumpOp.Jgt, R4, R3), "out")
         .Emit(Insn.Load(MemSize.B, R5, R2, 23))
         .Jump(Insn.Jump(JumpOp.Jne, R5, 17), "out")
         .Emit(Insn.Mov64(R0, 1))
         .Label("out")
         .Emit(Insn.Exit());
        return p.Build();
    }

    [SkippableFact]
    public void Bpf_to_bpf_calls_are_linked_once_per_callee_with_fixed_offsets()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        // AddTen(x) = x + 10; Twice(x) = 2x; Compose(x) = Twice(AddTen(x)); entry = Compose(5) + AddTen(1) = 41.
        spec.Programs.Add(ProgramBuilder.Subprogram("AddTen").Emit(Insn.Mov64(R0, R1)).Emit(Insn.Alu64(AluOp.Add, R0, 10)).Emit(Insn.Exit()).Build());
        spec.Programs.Add(ProgramBuilder.Subprogram("Twice").Emit(Insn.Mov64(R0, R1)).Emit(Insn.Alu64(AluOp.Lsh, R0, 1)).Emit(Insn.Exit()).Build());
        spec.Programs.Add(ProgramBuilder.Subprogram("Unused").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build());
        spec.Programs.Add(ProgramBuilder.Subprogram("Compose").Call("AddTen").Emit(Insn.Mov64(R1, R0)).Call("Twice").Emit(Insn.Exit()).Build());
        spec.Programs.Add(new ProgramBuilder("entry", ProgramType.SocketFilter, "socket")
            .Emit(Insn.LoadImm64(R1, 5))                                  // a 2-slot instruction before the call moves slot numbers
            .Call("Compose")
            .Emit(Insn.Mov64(R6, R0))
            .Emit(Insn.Mov64(R1, 1))
            .Call("AddTen")
            .Emit(Insn.Alu64(AluOp.Add, R0, R6))
            .Emit(Insn.Exit())
            .Build());

        using var collection = Collection.Load(spec);
        var program = collection.GetProgram("entry");
        Assert.Equal(41u, program.TestRun(Packets.Ipv4(6)).ReturnValue);
        Assert.Single(collection.Programs);

        var code = program.Code;
        Assert.Equal(["entry", "Compose", "AddTen", "Twice"], code.Functions.Select(f => f.Name));
        Assert.Equal([0, 8, 12, 15], code.Functions.Select(f => f.FirstSlot));
        // entry's first call is at slot 2: Compose starts at 8 -> imm 8 - 3 = 5.
        Assert.Equal(5, code.Instructions[1].Imm);
        Assert.Equal(Register.R1, code.Instructions[1].Src);
        Assert.Equal(program.GetInfo().XlatedLength / 8, (uint)code.SlotCount);
    }

    internal static ObjectSpec GlobalsObject()
    {
        var u32 = new BtfInt("unsigned int", 4, false);
        var u64 = new BtfInt("unsigned long long", 8, false);
        var spec = new ObjectSpec();
        spec.DataSections.Add(new DataSectionSpec
        {
            Name = ".rodata", Size = 8, Contents = new byte[8],
            BtfDatasec = new BtfDatasec(".rodata", 8, [new BtfVarSecInfo(new BtfVar("Multiplier", u32, BtfVarLinkage.GlobalAllocated), 0, 4),
                                                      new BtfVarSecInfo(new BtfVar("Unused", u32, BtfVarLinkage.GlobalAllocated), 4, 4)]),
        });
        spec.DataSections.Add(new DataSectionSpec
        {
            Name = ".data", Size = 4, Contents = BitConverter.GetBytes(7u),
            BtfDatasec = new BtfDatasec(".data", 4, [new BtfVarSecInfo(new BtfVar("Offset", u32, BtfVarLinkage.GlobalAllocated), 0, 4)]),
        });
        spec.DataSections.Add(new DataSectionSpec
        {
            Name = ".bss", Size = 16,
            BtfDatasec = new BtfDatasec(".bss", 16, [new BtfVarSecInfo(new BtfVar("Hits", u64, BtfVarLinkage.GlobalAllocated), 0, 8),
                                                    new BtfVarSecInfo(new BtfVar("LastResult", u32, BtfVarLinkage.GlobalAllocated), 8, 4)]),
        });
        // return Multiplier * 10 + Offset; Hits++ (atomic); LastResult = result.
        spec.Programs.Add(new ProgramBuilder("globals", ProgramType.SocketFilter, "socket")
            .LoadGlobal(R1, ".rodata", 0)
            .Emit(Insn.Load(MemSize.W, R0, R1, 0))
            .Emit(Insn.Alu64(AluOp.Mul, R0, 10))
            .LoadGlobal(R2, ".data", 0)
            .Emit(Insn.Load(MemSize.W, R3, R2, 0))
            .Emit(Insn.Alu64(AluOp.Add, R0, R3))
            .LoadGlobal(R4, ".bss", 8)                                  // address of LastResult: offset in the ld_imm64
            .Emit(Insn.Store(MemSize.W, R4, 0, R0))
            .LoadGlobal(R4, ".bss", 0)
            .Emit(Insn.Mov64(R5, 1))
            .Emit(Insn.Atomic(MemSize.DW, AtomicOp.Add, R4, 0, R5))
            .Emit(Insn.Exit())
            .Build());
        return spec;
    }

    [SkippableFact]
    public void Rodata_data_and_bss_globals_are_readable_and_writable_by_programs()
    {
        Kernel.RequireBpf();
        var spec = GlobalsObject();
        spec.SetVariable("Multiplier", 4u);
        Assert.Equal(4u, spec.GetVariable<uint>("Multiplier"));
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "globals_test" });
        var program = collection.GetProgram("globals");

        Assert.Equal(47u, program.TestRun(Packets.Ipv4(6), repeat: 3).ReturnValue);
        Assert.Equal(3UL, collection.ReadVariable<ulong>("Hits"));
        Assert.Equal(47u, collection.ReadVariable<uint>("LastResult"));

        collection.WriteVariable("Offset", 100u);
        Assert.Equal(140u, program.TestRun(Packets.Ipv4(6)).ReturnValue);
        Assert.Equal(4UL, collection.ReadVariable<ulong>("Hits"));

        var rodata = collection.GetMap(".rodata");
        Assert.True(rodata.IsFrozen);
        var frozen = Assert.Throws<InvalidOperationException>(() => collection.WriteVariable("Multiplier", 1u));
        Assert.Contains("SetVariable", frozen.Message);
        var info = rodata.GetInfo();
        Assert.Equal("globals_.rodata", info.Name);                   // libbpf: 8 characters of the object name + section
        Assert.Equal(DataSectionMaps.ReadOnlyProgFlag, info.Flags & DataSectionMaps.ReadOnlyProgFlag);
        Assert.Equal("globals_.bss", collection.GetMap(".bss").GetInfo().Name);

        var show = ExternalTool.Run(ExternalTool.Require("bpftool"), "map", "show", "id", info.Id.ToString(), "-j");
        Assert.True(show.ExitCode == 0, show.Combined);
        Assert.Equal(1, JsonDocument.Parse(show.StdOut).RootElement.GetProperty("frozen").GetInt32());
    }

    /// <summary>Data sections are BPF_F_MMAPABLE (as libbpf makes them) and variables are read and written in the mapped
    /// memory: a write of one variable touches only its bytes, so the programs' concurrent atomic increments of a
    /// neighbouring variable all survive (a lookup-modify-update of the whole section would put back stale counts).</summary>
    [SkippableFact]
    public void Writing_a_variable_while_programs_increment_its_neighbour_loses_no_increment()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(GlobalsObject(), new CollectionOptions { ObjectName = "globals_mmap" });
        var bss = collection.GetMap(".bss");
        Assert.Equal(DataSectionMaps.MmapableFlag, bss.GetInfo().Flags & DataSectionMaps.MmapableFlag);
        var program = collection.GetProgram("globals");
        const int Repeat = 1000, Writes = 20_000;
        int writes = 0;
        var runs = Task.Run(() =>
        {
            ulong calls = 0;
            while (Volatile.Read(ref writes) < Writes) { program.TestRun(Packets.Ipv4(6), repeat: Repeat); calls++; }
            return calls;
        });
        while (collection.ReadVariable<ulong>("Hits") == 0) Thread.Yield();   // the programs are running
        while (writes < Writes) collection.WriteVariable("LastResult", (uint)Interlocked.Increment(ref writes));
        Assert.True(runs.Result > 1, $"{runs.Result} test runs overlapped the writes");
        Assert.Equal(runs.Result * Repeat, collection.ReadVariable<ulong>("Hits"));
        collection.WriteVariable("LastResult", 12345u);
        Span<byte> value = stackalloc byte[16];
        Assert.True(bss.TryLookup(stackalloc byte[4], value));                  // the kernel sees the mapped write
        Assert.Equal(12345u, BitConverter.ToUInt32(value[8..12]));
    }

    [Fact]
    public void SetVariable_checks_names_and_sizes()
    {
        var spec = GlobalsObject();
        var size = Assert.Throws<ArgumentException>(() => spec.SetVariable("Multiplier", 1UL));
        Assert.Equal("global variable 'Multiplier' (.rodata) is 4 bytes, but UInt64 is 8 bytes", size.Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => spec.SetVariable("TargetPid", 1u));
        Assert.Contains("Multiplier (.rodata)", missing.Message);
        Assert.Contains("Hits (.bss)", missing.Message);

        spec.SetVariable("LastResult", 9u);                             // .bss gets contents on demand
        Assert.Equal(16, spec.DataSections.Single(s => s.Name == ".bss").Contents!.Length);
        Assert.Equal(9u, spec.GetVariable<uint>("LastResult"));
        Assert.Equal(0UL, spec.GetVariable<ulong>("Hits"));
    }

    [Theory]
    [InlineData("opencounter", ".rodata", "opencoun.rodata")]
    [InlineData("opencounter", ".bss", "opencoun.bss")]
    [InlineData("OpenCounter", ".data", "OpenCoun.data")]
    [InlineData("xdp", ".rodata", "xdp.rodata")]
    [InlineData("opencounter", ".rodata.str1.1", ".rodata.str1.1")]
    [InlineData("opencounter", ".data.very_long_name", ".data.very_long")]
    [InlineData("my-obj", ".bss", "my_obj.bss")]
    public void Data_section_maps_are_named_like_libbpf(string objectName, string section, string expected)
        => Assert.Equal(expected, DataSectionMaps.KernelName(objectName, section));

    [SkippableFact]
    public void Question_mark_sections_are_not_loaded_unless_asked_for()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("always", ProgramType.Xdp, "xdp", AttachType.Xdp).Emit(Insn.Mov64(R0, 2)).Emit(Insn.Exit()).Build());
        spec.Programs.Add(new ProgramBuilder("optional", ProgramType.Xdp, "?xdp", AttachType.Xdp).Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build());
        using (var byDefault = Collection.Load(spec))
            Assert.Equal(["always"], byDefault.Programs.Keys);
        using var all = Collection.Load(spec, new CollectionOptions { ShouldLoad = _ => true });
        Assert.Equal(["always", "optional"], all.Programs.Keys.Order());
    }

    [SkippableFact]
    public void Entry_program_without_a_program_type_is_refused_with_its_section()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("p", ProgramType.Unspecified, "foo").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build());
        var e = Assert.Throws<LoadException>(() => Collection.Load(spec));
        Assert.StartsWith("program 'p' has no program type: section 'foo' is not a program section libbpf knows", e.Message);
    }

    [SkippableFact]
    public void Undefined_map_and_function_references_fail_before_the_kernel()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("p").LoadMap(R1, "Nope").Emit(Insn.Mov64(R0, 2)).Emit(Insn.Exit()).Build());
        var map = Assert.Throws<LoadException>(() => Collection.Load(spec));
        Assert.Equal("program 'p' instruction 0 (r1 = 0 ll) references map 'Nope', which the object does not define", map.Message);

        spec = new ObjectSpec();
        spec.Programs.Add(new ProgramBuilder("q").Call("Missing").Emit(Insn.Mov64(R0, 2)).Emit(Insn.Exit()).Build());
        var call = Assert.Throws<LoadException>(() => Collection.Load(spec));
        Assert.Equal("function 'q' calls 'Missing', which the object does not define", call.Message);
    }
}
