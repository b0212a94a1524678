namespace Ebpf.Asm.Tests;

public class AsmBuilderTests
{
    [Fact]
    public void Jump_offsets_count_slots_and_skip_over_ld_imm64()
    {
        var code = new AsmBuilder()
            .EmitJump(Insn.Jump(JumpOp.Jeq, Register.R1, 0), "out")      // slot 0
            .Emit(Insn.LoadImm64(Register.R2, 1L << 40))                  // slots 1-2
            .EmitJump(Insn.Ja(), "top")                                   // slot 3
            .Label("out")
            .Emit(Insn.Mov64(Register.R0, 0))                             // slot 4
            .Label("top")
            .Emit(Insn.Exit())                                            // slot 5
            .Build();
        Assert.Equal(new[] { "if r1 == 0 goto +3", "r2 = 1099511627776 ll", "goto +1", "r0 = 0", "exit" },
            code.Instructions.Select(InstructionFormatter.Format));
        Assert.Equal(new[] { 0, 1, 3, 4, 5, 6 }, code.SlotOffsets());
    }

    [Fact]
    public void Backward_jumps_are_negative()
    {
        var code = new AsmBuilder()
            .Label("loop")
            .Emit(Insn.Alu64(AluOp.Sub, Register.R1, 1))
            .EmitJump(Insn.Jump(JumpOp.Jne, Register.R1, 0), "loop")
            .Emit(Insn.Exit())
            .Build();
        Assert.Equal(-2, code.Instructions[1].Offset);
    }

    [Fact]
    public void References_keep_instruction_indices()
    {
        var code = new AsmBuilder()
            .Emit(Insn.Mov64(Register.R1, 0))
            .EmitReference(Insn.LoadImm64(Register.R1, 0), "counts")
            .EmitReference(Insn.CallLocal(), "helper")
            .Build();
        Assert.Equal(new[] { new SymbolReference(1, "counts"), new SymbolReference(2, "helper") }, code.References);
    }

    [Fact]
    public void Label_errors_name_the_label()
    {
        var b = new AsmBuilder().Label("x");
        Assert.Equal("label 'x' defined twice", Assert.Throws<InvalidOperationException>(() => b.Label("x")).Message);
        var undefined = new AsmBuilder().EmitJump(Insn.Ja(), "nowhere");
        Assert.Equal("undefined label 'nowhere'", Assert.Throws<InvalidOperationException>(() => undefined.Build()).Message);
        Assert.Throws<ArgumentException>(() => new AsmBuilder().EmitJump(Insn.Exit(), "x"));
    }

    [Fact]
    public void Out_of_range_jump_is_reported()
    {
        var b = new AsmBuilder().EmitJump(Insn.Ja(), "far");
        for (int i = 0; i < 40000; i++) b.Emit(Insn.Mov64(Register.R0, 0));
        b.Label("far").Emit(Insn.Exit());
        Assert.Equal("jump to 'far' out of range (40000 slots)", Assert.Throws<InvalidOperationException>(() => b.Build()).Message);
    }
}
