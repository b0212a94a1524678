namespace Ebpf.Asm;

/// <summary>Formats instructions in the syntax of LLVM's BPF disassembler (<c>llvm-objdump -d</c>),
/// so our dumps and clang's read the same: <c>r1 += 22</c>, <c>if r0 == 0 goto +5</c>,
/// <c>*(u32 *)(r10 - 4) = r1</c>.</summary>
public static class InstructionFormatter
{
    public static string Format(Instruction insn)
    {
        byte op = insn.OpCode;
        return insn.Class switch
        {
            InstructionClass.Alu or InstructionClass.Alu64 => FormatAlu(insn),
            InstructionClass.Jmp or InstructionClass.Jmp32 => FormatJump(insn),
            InstructionClass.Ldx => $"{Reg(insn.Dst, false)} = *({SizeName(OpCodes.Size(op))} *){Mem(insn.Src, insn.Offset)}",
            InstructionClass.Stx when OpCodes.Mode(op) == MemMode.Atomic => FormatAtomic(insn),
            InstructionClass.Stx => $"*({SizeName(OpCodes.Size(op))} *){Mem(insn.Dst, insn.Offset)} = {Reg(insn.Src, false)}",
            InstructionClass.St => $"*({SizeName(OpCodes.Size(op))} *){Mem(insn.Dst, insn.Offset)} = {insn.Imm}",
            InstructionClass.Ld when insn.IsWide => $"{Reg(insn.Dst, false)} = {insn.Constant} ll",
            _ => $"<unknown opcode 0x{op:x2}>",
        };
    }

    static string Reg(Register r, bool w) => (w ? "w" : "r") + ((int)r).ToString();

    static string Mem(Register baseReg, short off) =>
        off < 0 ? $"({Reg(baseReg, false)} - {-(int)off})" : $"({Reg(baseReg, false)} + {off})";

    static string SizeName(MemSize size) => size switch
    {
        MemSize.B => "u8", MemSize.H => "u16", MemSize.W => "u32", _ => "u64",
    };

    static string FormatAlu(Instruction insn)
    {
        byte op = insn.OpCode;
        bool w = insn.Class == InstructionClass.Alu;
        string dst = Reg(insn.Dst, w);
        bool isReg = OpCodes.Source(op) == OperandSource.Reg;
        string src = isReg ? Reg(insn.Src, w) : insn.Imm.ToString();
        var alu = OpCodes.Alu(op);
        switch (alu)
        {
            case AluOp.Neg: return $"{dst} = -{dst}";
            case AluOp.End:
                return $"{Reg(insn.Dst, false)} = {(isReg ? "be" : "le")}{insn.Imm} {Reg(insn.Dst, false)}";
            case AluOp.Mov when isReg && insn.Offset != 0:
                return $"{dst} = (s{insn.Offset}){src}";
            case AluOp.Mov: return $"{dst} = {src}";
        }
        bool signed = insn.Offset == 1 && alu is AluOp.Div or AluOp.Mod;
        string sym = alu switch
        {
            AluOp.Add => "+=", AluOp.Sub => "-=", AluOp.Mul => "*=", AluOp.Div => signed ? "s/=" : "/=",
            AluOp.Or => "|=", AluOp.And => "&=", AluOp.Lsh => "<<=", AluOp.Rsh => ">>=",
            AluOp.Mod => signed ? "s%=" : "%=", AluOp.Xor => "^=", AluOp.Arsh => "s>>=",
            _ => $"<alu 0x{(byte)alu:x2}>",
        };
        return $"{dst} {sym} {src}";
    }

    static string FormatJump(Instruction insn)
    {
        byte op = insn.OpCode;
        var j = OpCodes.Jump(op);
        switch (j)
        {
            case JumpOp.Exit: return "exit";
            case JumpOp.Call: return $"call {insn.Imm}";
            case JumpOp.Ja: return $"goto {Rel(insn.Offset)}";
        }
        bool w = insn.Class == InstructionClass.Jmp32;
        string src = OpCodes.Source(op) == OperandSource.Reg ? Reg(insn.Src, w) : insn.Imm.ToString();
        string cmp = j switch
        {
            JumpOp.Jeq => "==", JumpOp.Jne => "!=", JumpOp.Jgt => ">", JumpOp.Jge => ">=",
            JumpOp.Jlt => "<", JumpOp.Jle => "<=", JumpOp.Jsgt => "s>", JumpOp.Jsge => "s>=",
            JumpOp.Jslt => "s<", JumpOp.Jsle => "s<=", JumpOp.Jset => "&",
            _ => $"<jmp 0x{(byte)j:x2}>",
        };
        return $"if {Reg(insn.Dst, w)} {cmp} {src} goto {Rel(insn.Offset)}";
    }

    static string Rel(short off) => off >= 0 ? $"+{off}" : off.ToString();

    static string FormatAtomic(Instruction insn)
    {
        var size = OpCodes.Size(insn.OpCode);
        bool w = size == MemSize.W;
        string sz = SizeName(size);
        string addr = Mem(insn.Dst, insn.Offset);
        string src = Reg(insn.Src, w);
        string bits = w ? "32" : "64";
        string xbits = w ? "32_32" : "_64";
        return (AtomicOp)insn.Imm switch
        {
            AtomicOp.Add => $"lock *({sz} *){addr} += {src}",
            AtomicOp.Or => $"lock *({sz} *){addr} |= {src}",
            AtomicOp.And => $"lock *({sz} *){addr} &= {src}",
            AtomicOp.Xor => $"lock *({sz} *){addr} ^= {src}",
            AtomicOp.FetchAdd => $"{src} = atomic_fetch_add(({sz} *){addr}, {src})",
            AtomicOp.FetchOr => $"{src} = atomic_fetch_or(({sz} *){addr}, {src})",
            AtomicOp.FetchAnd => $"{src} = atomic_fetch_and(({sz} *){addr}, {src})",
            AtomicOp.FetchXor => $"{src} = atomic_fetch_xor(({sz} *){addr}, {src})",
            AtomicOp.Xchg => $"{src} = xchg{xbits}({Reg(insn.Dst, false)} {OffText(insn.Offset)}, {src})",
            AtomicOp.CmpXchg => $"{Reg(Register.R0, w)} = cmpxchg{xbits}({Reg(insn.Dst, false)} {OffText(insn.Offset)}, {Reg(Register.R0, w)}, {src})",
            _ => $"<atomic{bits} 0x{insn.Imm:x}>",
        };
    }

    static string OffText(short off) => off < 0 ? $"- {-(int)off}" : $"+ {off}";
}
