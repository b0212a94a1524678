using Ebpf.Asm;
using Ebpf.Btf;

namespace Ebpf.Object.Tests.Support;

/// <summary>Hand-built ObjectSpecs (no compiler): an XDP program that looks up a hash map and reads a
/// .rodata global, a tracepoint program calling a .text sub-program, with BTF and line info.</summary>
public static class SampleObjects
{
    public const string File = "/src/Sample.cs";

    public static ObjectSpec XdpAndTracepoint()
    {
        var i32 = new BtfInt("int", 4, isSigned: true);
        var u32 = new BtfTypedef("__u32", new BtfInt("unsigned int", 4, isSigned: false));
        var u64 = new BtfTypedef("__u64", new BtfInt("unsigned long long", 8, isSigned: false));
        var b = new BtfBuilder();

        // struct { __uint(type, HASH); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
        var def = new BtfStruct(null, 32);
        def.Members.Add(new BtfMember("type", new BtfPointer(new BtfArray(i32, (uint)MapType.Hash)), 0));
        def.Members.Add(new BtfMember("max_entries", new BtfPointer(new BtfArray(i32, 16)), 64));
        def.Members.Add(new BtfMember("key", new BtfPointer(u32), 128));
        def.Members.Add(new BtfMember("value", new BtfPointer(u64), 192));
        var counts = new BtfVar("counts", def, BtfVarLinkage.GlobalAllocated);
        var maps = new BtfDatasec(".maps", 32, new[] { new BtfVarSecInfo(counts, 0, 32) });

        // const volatile __u64 step = 3; const volatile __u32 unused = 9;  (.rodata, 16 bytes)
        var step = new BtfVar("step", new BtfQualifier(BtfQualifierKind.Const, new BtfQualifier(BtfQualifierKind.Volatile, u64)), BtfVarLinkage.GlobalAllocated);
        var spare = new BtfVar("spare", new BtfQualifier(BtfQualifierKind.Const, u32), BtfVarLinkage.GlobalAllocated);
        var rodata = new BtfDatasec(".rodata", 16, new[] { new BtfVarSecInfo(step, 0, 8), new BtfVarSecInfo(spare, 8, 4) });

        var voidPtr = new BtfPointer(BtfVoid.Instance);
        var xdpFunc = new BtfFunc("xdp_count", new BtfFuncProto(i32, new[] { new BtfParameter("ctx", voidPtr) }), BtfFuncLinkage.Global);
        var tpFunc = new BtfFunc("on_getpid", new BtfFuncProto(i32, new[] { new BtfParameter("ctx", voidPtr) }), BtfFuncLinkage.Global);
        var addFunc = new BtfFunc("add_one", new BtfFuncProto(i32, new[] { new BtfParameter("x", i32) }), BtfFuncLinkage.Static);
        foreach (var t in new BtfType[] { xdpFunc, tpFunc, addFunc, counts, maps, step, spare, rodata }) b.Add(t);
        var btf = b.Build();

        var xdp = new ProgramSpec
        {
            Name = "xdp_count",
            SectionName = "xdp",
            Type = ProgramType.Xdp,
            ExpectedAttachType = AttachType.Xdp,
            Instructions = new[]
            {
                Insn.Mov64(Register.R1, 0),                                // 0 (slot 0): key = 0
                Insn.Store(MemSize.W, Register.R10, -4, Register.R1),      // 1 (slot 1)
                Insn.Mov64(Register.R2, Register.R10),                     // 2 (slot 2)
                Insn.Alu64(AluOp.Add, Register.R2, -4),                    // 3 (slot 3): r2 = &key
                Insn.LoadImm64(Register.R1, 0),                            // 4 (slots 4-5): r1 = &counts
                Insn.CallHelper(1),                                        // 5 (slot 6): bpf_map_lookup_elem
                Insn.Jump(JumpOp.Jeq, Register.R0, 0, 6),                  // 6 (slot 7): if r0 == 0 goto slot 14
                Insn.LoadImm64(Register.R2, 0),                            // 7 (slots 8-9): r2 = &step (.rodata + 0)
                Insn.Load(MemSize.DW, Register.R2, Register.R2, 0),        // 8 (slot 10): r2 = step
                Insn.Load(MemSize.DW, Register.R1, Register.R0, 0),        // 9 (slot 11)
                Insn.Alu64(AluOp.Add, Register.R1, Register.R2),           // 10 (slot 12)
                Insn.Store(MemSize.DW, Register.R0, 0, Register.R1),       // 11 (slot 13): *value += step
                Insn.Mov64(Register.R0, 2),                                // 12 (slot 14): XDP_PASS
                Insn.Exit(),                                               // 13 (slot 15)
            },
            Relocations = new[] { new Relocation(4, RelocationKind.Map, "counts"), new Relocation(7, RelocationKind.GlobalData, ".rodata") },
            FuncInfos = new[] { new BtfFuncInfo(0, xdpFunc) },
            LineInfos = new[]
            {
                new BtfLineInfo(0, File, "uint key = 0;", 10, 9),
                new BtfLineInfo(4, File, "if (Counts.TryGetValue(key, out var v))", 11, 13),
                new BtfLineInfo(11, File, "v += Step;", 12, 17),
                new BtfLineInfo(14, File, "return XdpAction.Pass;", 13, 9),
            },
        };
        var tp = new ProgramSpec
        {
            Name = "on_getpid",
            SectionName = "tp/syscalls/sys_enter_getpid",
            Type = ProgramType.Tracepoint,
            AttachTarget = "syscalls/sys_enter_getpid",
            Instructions = new[]
            {
                Insn.Mov64(Register.R1, 41),
                Insn.CallLocal(),
                Insn.Mov64(Register.R0, 0),
                Insn.Exit(),
            },
            Relocations = new[] { new Relocation(1, RelocationKind.Call, "add_one") },
            FuncInfos = new[] { new BtfFuncInfo(0, tpFunc) },
            LineInfos = new[] { new BtfLineInfo(0, File, "AddOne(41);", 20, 9), new BtfLineInfo(2, File, "return 0;", 21, 9) },
        };
        var add = new ProgramSpec
        {
            Name = "add_one",
            SectionName = ".text",
            Instructions = new[] { Insn.Mov64(Register.R0, Register.R1), Insn.Alu64(AluOp.Add, Register.R0, 1), Insn.Exit() },
            FuncInfos = new[] { new BtfFuncInfo(0, addFunc) },
            LineInfos = new[] { new BtfLineInfo(0, File, "static int AddOne(int x) => x + 1;", 30, 5) },
        };

        var spec = new ObjectSpec { License = "GPL", Btf = btf };
        spec.Programs.Add(xdp);
        spec.Programs.Add(tp);
        spec.Programs.Add(add);
        spec.Maps.Add(new MapSpec
        {
            Name = "counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16,
            KeyType = u32, ValueType = u64, BtfVar = counts,
        });
        var contents = new byte[16];
        BitConverter.TryWriteBytes(contents.AsSpan(0), 3UL);
        BitConverter.TryWriteBytes(contents.AsSpan(8), 9U);
        spec.DataSections.Add(new DataSectionSpec { Name = ".rodata", Size = 16, Contents = contents, BtfDatasec = rodata });
        return spec;
    }
}
