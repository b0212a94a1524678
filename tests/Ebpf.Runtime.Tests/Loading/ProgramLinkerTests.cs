using Ebpf.Btf;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>Sub-program linking without a kernel: layout, call offsets, callback references, func/line info rebasing.</summary>
public class ProgramLinkerTests
{
    static readonly BtfFuncProto Proto = new(new BtfInt("int", 4, true), []);

    [Fact]
    public void Callees_are_appended_once_in_call_order_and_calls_point_at_them()
    {
        var leaf = ProgramBuilder.Subprogram("Leaf").Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build();
        var middle = ProgramBuilder.Subprogram("Middle").Call("Leaf").Emit(Insn.Exit()).Build();
        var entry = new ProgramBuilder("Entry")
            .Call("Middle")                                      // slot 0
            .Emit(Insn.LoadImm64(R1, 0x1_0000_0000))            // slots 1-2
            .Call("Leaf")                                        // slot 3
            .Emit(Insn.Exit())
            .Build();

        var linked = ProgramLinker.Link(entry, [leaf, middle, entry]);

        Assert.Equal(["Entry", "Middle", "Leaf"], linked.Functions.Select(f => f.Name));
        Assert.Equal([0, 5, 7], linked.Functions.Select(f => f.FirstSlot));
        Assert.Equal(9, linked.SlotCount);
        Assert.Equal(4, linked.Instructions[0].Imm);             // 5 - (0 + 1)
        Assert.Equal(3, linked.Instructions[2].Imm);             // 7 - (3 + 1)
        Assert.Equal(1, linked.Instructions[4].Imm);             // Middle's call at slot 5 -> Leaf at 7: 7 - 6
        Assert.All(new[] { 0, 2, 4 }, i => Assert.Equal(Register.R1, linked.Instructions[i].Src)); // BPF_PSEUDO_CALL
        Assert.Equal(0x1_0000_0000, linked.Instructions[1].Constant);                               // untouched
    }

    [Fact]
    public void Callees_are_placed_depth_first_like_libbpf()
    {
        ProgramSpec Leaf(string name) => ProgramBuilder.Subprogram(name).Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build();
        var a = ProgramBuilder.Subprogram("A").Call("C").Emit(Insn.Exit()).Build();
        var entry = new ProgramBuilder("Entry").Call("A").Call("B").Emit(Insn.Exit()).Build();
        var linked = ProgramLinker.Link(entry, [entry, a, Leaf("B"), Leaf("C")]);
        Assert.Equal(["Entry", "A", "C", "B"], linked.Functions.Select(f => f.Name));
    }

    [Fact]
    public void A_callback_reference_becomes_a_pseudo_func_ld_imm64()
    {
        var callback = ProgramBuilder.Subprogram("LoopBody").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build();
        var entry = new ProgramBuilder("Entry")
            .Emit(Insn.Mov64(R1, 10))
            .Call("LoopBody")                                    // placeholder, replaced below by an ld_imm64 reference
            .Emit(Insn.Exit())
            .Build();
        var insns = entry.Instructions.ToList();
        insns[1] = Insn.LoadImm64(R2, 0);
        entry = new ProgramSpec { Name = entry.Name, SectionName = entry.SectionName, Instructions = insns, Relocations = entry.Relocations };

        var linked = ProgramLinker.Link(entry, [entry, callback]);
        var ld = linked.Instructions[1];
        Assert.Equal((Register)PseudoSource.Func, ld.Src);
        Assert.Equal(4 - (1 + 1), ld.Imm);                      // LoopBody at slot 4, ld_imm64 at slot 1
        Assert.Equal(0, (int)(ld.Constant >> 32));
    }

    [Fact]
    public void Func_and_line_infos_move_with_their_function()
    {
        var helperFunc = new BtfFunc("Helper", Proto, BtfFuncLinkage.Static);
        var entryFunc = new BtfFunc("Entry", Proto, BtfFuncLinkage.Global);
        var helper = ProgramBuilder.Subprogram("Helper").Func(helperFunc)
            .Line("H.cs", 3, 5, "a").Emit(Insn.Mov64(R0, 1))
            .Line("H.cs", 4, 5, "b").Emit(Insn.Exit())
            .Build();
        var entry = new ProgramBuilder("Entry").Func(entryFunc)
            .Line("E.cs", 1, 1, "x").Emit(Insn.LoadImm64(R6, 1))
            .Line("E.cs", 2, 1, "y").Call("Helper")
            .Emit(Insn.Exit())
            .Build();

        var linked = ProgramLinker.Link(entry, [helper, entry]);
        Assert.Equal([(0, entryFunc), (4, helperFunc)], linked.FuncInfos.Select(f => (f.InstructionOffset, f.Func)));
        Assert.Equal([(0, "x"), (2, "y"), (4, "a"), (5, "b")], linked.LineInfos.Select(l => (l.InstructionOffset, l.LineText)));

        Assert.Equal(new SourceLocation("E.cs", 2, 1, "y"), linked.SourceAt(3));   // the exit: covered by the line before it
        Assert.Equal(new SourceLocation("H.cs", 4, 5, "b"), linked.SourceAt(5));
        Assert.Equal("Helper", linked.FunctionAt(5)!.Name);
        Assert.Null(linked.InstructionAtSlot(1));                                   // second slot of the ld_imm64
    }

    [Fact]
    public void Source_lookup_does_not_cross_into_another_function()
    {
        var helper = ProgramBuilder.Subprogram("NoLines").Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build();
        var entry = new ProgramBuilder("Entry").Line("E.cs", 1, 1, "x").Call("NoLines").Emit(Insn.Exit()).Build();
        var linked = ProgramLinker.Link(entry, [helper, entry]);
        Assert.Null(linked.SourceAt(2));                                            // NoLines has no line info of its own
        Assert.NotNull(linked.SourceAt(1));
    }

    [Fact]
    public void Relocations_are_checked_and_rebased()
    {
        var helper = ProgramBuilder.Subprogram("Helper").LoadMap(R1, "Counts").Emit(Insn.Exit()).Build();
        var entry = new ProgramBuilder("Entry").Emit(Insn.Mov64(R0, 0)).Call("Helper").LoadGlobal(R2, ".bss", 8).Emit(Insn.Exit()).Build();
        var linked = ProgramLinker.Link(entry, [helper, entry]);
        Assert.Equal([new Relocation(2, RelocationKind.GlobalData, ".bss"), new Relocation(4, RelocationKind.Map, "Counts")], linked.Relocations);

        var broken = new ProgramSpec { Name = "Broken", SectionName = "xdp", Instructions = [Insn.Exit()], Relocations = [new Relocation(3, RelocationKind.Map, "M")] };
        var e = Assert.Throws<LoadException>(() => ProgramLinker.Link(broken, [broken]));
        Assert.Equal("function 'Broken' has a Map relocation for 'M' at instruction 3, outside its 1 instructions", e.Message);

        var notACall = new ProgramSpec { Name = "NotACall", SectionName = "xdp", Instructions = [Insn.Mov64(R0, 0), Insn.Exit()], Relocations = [new Relocation(0, RelocationKind.Call, "Helper")] };
        var e2 = Assert.Throws<LoadException>(() => ProgramLinker.Link(notACall, [notACall, helper]));
        Assert.Contains("neither a call nor an ld_imm64", e2.Message);
    }
}
