using System.Text.Json;
using Ebpf.Btf;
using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>Loading objects that carry BTF, as the compiler produces them: maps with BTF key/value types, data-section
/// maps typed by their DATASEC, programs with func_info and line_info.</summary>
public class BtfLoadingTests(ITestOutputHelper output)
{
    sealed class Types
    {
        public readonly BtfInt U32 = new("unsigned int", 4, false);
        public readonly BtfInt U64 = new("unsigned long long", 8, false);
        public readonly BtfInt Int = new("int", 4, true);
        public readonly BtfFunc Entry;
        public readonly BtfFunc AddOne;
        public readonly BtfDatasec Rodata;

        public Types(string entryName)
        {
            var ctx = new BtfPointer(new BtfStruct("xdp_md", 24));
            Entry = new BtfFunc(entryName, new BtfFuncProto(Int, [new BtfParameter("ctx", ctx)]), BtfFuncLinkage.Global);
            AddOne = new BtfFunc("AddOne", new BtfFuncProto(U64, [new BtfParameter("x", U64)]), BtfFuncLinkage.Static);
            Rodata = new BtfDatasec(".rodata", 4, [new BtfVarSecInfo(new BtfVar("Key", U32, BtfVarLinkage.GlobalAllocated), 0, 4)]);
        }

        public BtfSpec Build(params BtfType[] extra)
        {
            var builder = new BtfBuilder();
            foreach (var t in new BtfType[] { Entry, AddOne, Rodata }.Concat(extra)) builder.Add(t);
            return builder.Build();                 // line-info strings are left out on purpose: the loader adds them
        }
    }

    /// <summary>Counts[Key] = AddOne(Counts[Key]) when present; XDP_PASS.</summary>
    static ObjectSpec CounterObject(Types types, BtfSpec btf, bool nullCheck = true)
    {
        var spec = new ObjectSpec { Btf = btf };
        spec.Maps.Add(new MapSpec { Name = "Counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 8, KeyType = types.U32, ValueType = types.U64 });
        spec.DataSections.Add(new DataSectionSpec { Name = ".rodata", Size = 4, Contents = BitConverter.GetBytes(5u), BtfDatasec = types.Rodata });
        var entry = new ProgramBuilder(types.Entry.Name!, ProgramType.Xdp, "xdp", AttachType.Xdp).Func(types.Entry)
            .Line("Probe.cs", 10, 9, "uint key = Key;")
            .LoadGlobal(R1, ".rodata", 0)
            .Emit(Insn.Load(MemSize.W, R1, R1, 0))
            .Emit(Insn.Store(MemSize.W, R10, -4, R1))
            .Line("Probe.cs", 11, 9, "ref ulong count = ref Counts.Lookup(key);")
            .Emit(Insn.Mov64(R2, R10))
            .Emit(Insn.Alu64(AluOp.Add, R2, -4))
            .LoadMap(R1, "Counts")
            .Helper(HelperId.MapLookupElem);
        if (nullCheck)
            entry.Line("Probe.cs", 12, 9, "if (Unsafe.IsNullRef(ref count)) return XdpAction.Pass;")
                 .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "out");
        entry.Line("Probe.cs", 13, 9, "count = AddOne(count);")
             .Emit(Insn.Mov64(R6, R0))
             .Emit(Insn.Load(MemSize.DW, R1, R6, 0))
             .Call("AddOne")
             .Emit(Insn.Store(MemSize.DW, R6, 0, R0))
             .Label("out")
             .Line("Probe.cs", 14, 9, "return XdpAction.Pass;")
             .Emit(Insn.Mov64(R0, 2))
             .Emit(Insn.Exit());
        spec.Programs.Add(entry.Build());
        spec.Programs.Add(ProgramBuilder.Subprogram("AddOne").Func(types.AddOne)
            .Line("Probe.cs", 20, 5, "static ulong AddOne(ulong x) => x + 1;")
            .Emit(Insn.Mov64(R0, R1))
            .Emit(Insn.Alu64(AluOp.Add, R0, 1))
            .Emit(Insn.Exit())
            .Build());
        return spec;
    }

    [SkippableFact]
    public void Maps_and_programs_carry_the_objects_BTF_into_the_kernel()
    {
        Kernel.RequireBpf();
        var types = new Types("CountWithBtf");
        using var collection = Collection.Load(CounterObject(types, types.Build()), new CollectionOptions { ObjectName = "btftest" });
        Assert.Empty(collection.Warnings);
        Assert.NotNull(collection.Btf);

        var counts = collection.GetMap<uint, ulong>("Counts");
        counts[5] = 41;
        var program = collection.GetProgram("CountWithBtf");
        Assert.Equal(2u, program.TestRun(Packets.Ipv4(Packets.ProtocolUdp)).ReturnValue);
        Assert.Equal(42UL, counts[5]);

        var btf = collection.Btf!.Spec;
        var mapInfo = counts.Raw.GetInfo();
        Assert.NotEqual(0u, mapInfo.BtfId);
        Assert.Equal(((uint)btf.IdOf(types.U32), (uint)btf.IdOf(types.U64)), (mapInfo.BtfKeyTypeId, mapInfo.BtfValueTypeId));
        var rodataInfo = collection.GetMap(".rodata").GetInfo();
        Assert.Equal((uint)btf.IdOf(types.Rodata), rodataInfo.BtfValueTypeId);

        var info = program.GetInfo();
        Assert.Equal(2u, info.FuncInfoCount);
        Assert.Equal(6u, info.LineInfoCount);

        // bpftool reads the func_info/line_info back from the kernel and prints the C# lines in the dump.
        var dump = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "dump", "xlated", "id", info.Id.ToString());
        Assert.True(dump.ExitCode == 0, dump.Combined);
        output.WriteLine(dump.StdOut);
        Assert.Contains("; count = AddOne(count);", dump.StdOut);
        Assert.Contains("; static ulong AddOne(ulong x) => x + 1;", dump.StdOut);
        Assert.Contains("int CountWithBtf(struct xdp_md * ctx):", dump.StdOut);

        // ... and formats the .rodata map by its DATASEC: the variable appears by name.
        var rodata = ExternalTool.Run(ExternalTool.Require("bpftool"), "map", "dump", "id", rodataInfo.Id.ToString(), "-j");
        Assert.True(rodata.ExitCode == 0, rodata.Combined);
        var formatted = JsonDocument.Parse(rodata.StdOut).RootElement[0].GetProperty("formatted").GetProperty("value");
        Assert.Equal(5u, formatted.GetProperty(".rodata")[0].GetProperty("Key").GetUInt32());
    }

    [SkippableFact]
    public void Verifier_log_with_line_info_shows_the_source_and_the_exception_maps_it()
    {
        Kernel.RequireBpf();
        var types = new Types("CountNoCheck");
        var e = Assert.Throws<VerifierException>(() => Collection.Load(CounterObject(types, types.Build(), nullCheck: false)));
        output.WriteLine(e.Message);
        Assert.StartsWith("Probe.cs(13,9): error EBPF2201: R6 invalid mem access 'map_value_or_null'", e.Message);
        Assert.Contains("; count = AddOne(count); @ Probe.cs:13", e.Log);  // the kernel's own rendering of our line_info
    }

    [SkippableFact]
    public void Btf_the_kernel_rejects_is_dropped_and_the_object_loads_without_it()
    {
        Kernel.RequireBpf();
        var types = new Types("CountBadBtf");
        var tooSmall = new BtfStruct("too_small", 4);                     // an 8-byte member in a 4-byte struct:
        tooSmall.Members.Add(new BtfMember("value", types.U64, 0));       // the kernel refuses the whole blob
        var btf = types.Build(tooSmall);
        using var collection = Collection.Load(CounterObject(types, btf));
        Assert.Null(collection.Btf);
        var warning = Assert.Single(collection.Warnings);
        output.WriteLine(warning);
        Assert.StartsWith("load BTF: EINVAL", warning);
        Assert.Contains("Member exceeds struct_size", warning);           // the kernel's BTF log, quoted
        Assert.Contains("loading without BTF", warning);
        var program = collection.GetProgram("CountBadBtf");
        Assert.Equal((0u, 0u), (program.GetInfo().FuncInfoCount, program.GetInfo().LineInfoCount));
        Assert.Equal(0u, collection.GetMap("Counts").GetInfo().BtfId);
        collection.GetMap<uint, ulong>("Counts")[5] = 1;
        program.TestRun(Packets.Ipv4(Packets.ProtocolTcp));
        Assert.Equal(2UL, collection.GetMap<uint, ulong>("Counts")[5]);
    }

    [SkippableFact]
    public void Map_whose_BTF_types_the_kernel_rejects_is_created_without_them()
    {
        Kernel.RequireBpf();
        var types = new Types("CountBadKey");
        var spec = CounterObject(types, types.Build());
        spec.Maps[0].KeyType = types.U64;                                  // 8-byte BTF key for a 4-byte key_size
        using var collection = Collection.Load(spec);
        var warning = Assert.Single(collection.Warnings);
        Assert.Equal("create map 'Counts': the kernel rejected its BTF key/value types (EINVAL (Invalid argument)); created without BTF", warning);
        Assert.Equal(0u, collection.GetMap("Counts").GetInfo().BtfId);
        Assert.Equal(2u, collection.GetProgram("CountBadKey").GetInfo().FuncInfoCount);
    }

    [SkippableFact]
    public void A_function_without_func_info_drops_func_and_line_info_for_its_program()
    {
        Kernel.RequireBpf();
        var types = new Types("CountNoFuncInfo");
        var spec = CounterObject(types, types.Build());
        var sub = spec.Programs[1];
        spec.Programs[1] = new ProgramSpec { Name = sub.Name, SectionName = sub.SectionName, Instructions = sub.Instructions, LineInfos = sub.LineInfos };
        using var collection = Collection.Load(spec);
        Assert.Equal("program 'CountNoFuncInfo': function 'AddOne' has no func_info; loaded without func_info/line_info", Assert.Single(collection.Warnings));
        Assert.Equal(0u, collection.GetProgram("CountNoFuncInfo").GetInfo().LineInfoCount);
    }
}
