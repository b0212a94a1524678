namespace Ebpf.Asm;

/// <summary>Formats instructions in the syntax of LLVM's BPF disassembler (<c>llvm-objdump -d</c>),
/// so our dumps and clang's read the same: <c>r1 += 22</c>, <c>if r0 == 0 goto +5</c>,
/// <c>*(u32 *)(r10 - 4) = r1</c>.</summary>
/// <remarks>Every instruction LLVM 14 (the toolchain of this project's machines) decodes prints exactly as
/// its <c>llvm-objdump -d</c> prints it, including its quirks: a 32-bit atomic add names the 64-bit source
/// register, and an ld_imm64 with a pseudo source is <c>ld_pseudo</c>. Instructions LLVM 14 prints as
/// <c>&lt;unknown&gt;</c> or misreads (MOD, JSET, store-immediate, 32-bit fetch atomics, and the cpu v4
/// forms: sign-extending moves and loads, signed division, bswap, gotol, may_goto, load-acquire and
/// store-release) use the syntax of later LLVM releases.</remarks>
public static class InstructionFormatter
{
    public static string Format(Instruction insn)
    {
        byte op = insn.OpCode;
        return insn.Class switch
        {
            InstructionClass.Alu or InstructionClass.Alu64 => FormatAlu(insn),
            InstructionClass.Jmp or InstructionClass.Jmp32 => FormatJump(insn),
            InstructionClass.Ldx when OpCodes.Mode(op) == MemMode.MemSx =>
                $"{Reg(insn.Dst, false)} = *({SignedSizeName(OpCodes.Size(op))} *){Mem(insn.Src, insn.Offset)}",
            InstructionClass.Ldx => $"{Reg(insn.Dst, false)} = *({SizeName(OpCodes.Size(op))} *){Mem(insn.Src, insn.Offset)}",
            InstructionClass.Stx when OpCodes.Mode(op) == MemMode.Atomic => FormatAtomic(insn),
            InstructionClass.Stx => $"*({SizeName(OpCodes.Size(op))} *){Mem(insn.Dst, insn.Offset)} = {Reg(insn.Src, false)}",
            InstructionClass.St => $"*({SizeName(OpCodes.Size(op))} *){Mem(insn.Dst, insn.Offset)} = {insn.Imm}",
            InstructionClass.Ld when insn.IsWide && insn.Src == Register.R0 => $"{Reg(insn.Dst, false)} = {insn.Constant} ll",
            // LLVM prints the pseudo source and the low 32 bits of imm (a map fd, a BTF id, a function offset).
            InstructionClass.Ld when insn.IsWide => $"ld_pseudo\t{Reg(insn.Dst, false)}, {(int)insn.Src}, {insn.Imm}",
            // Legacy packet loads (cBPF heritage): r0 = *(size *)skb[imm] / skb[src + imm].
            InstructionClass.Ld when OpCodes.Mode(op) == MemMode.Abs => $"r0 = *({SizeName(OpCodes.Size(op))} *)skb[{insn.Imm}]",
            InstructionClass.Ld when OpCodes.Mode(op) == MemMode.Ind =>
                $"r0 = *({SizeName(OpCodes.Size(op))} *)skb[{Reg(insn.Src, false)}{(insn.Imm == 0 ? "" : insn.Imm < 0 ? $" - {-(long)insn.Imm}" : $" + {insn.Imm}")}]",
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

    static string SignedSizeName(MemSize size) => size switch
    {
        MemSize.B => "s8", MemSize.H => "s16", MemSize.W => "s32", _ => "s64",
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
            case AluOp.End when insn.Class == InstructionClass.Alu64:
                // cpu v4 unconditional byte swap (BPF_ALU64 | BPF_END | BPF_TO_LE).
                return $"{Reg(insn.Dst, false)} = bswap{insn.Imm} {Reg(insn.Dst, false)}";
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

    /// <summary>The JCOND op (0xe0, cpu v4): <c>may_goto</c> when src is 0.</summary>
    const byte JumpCond = 0xe0;

    static string FormatJump(Instruction insn)
    {
        byte op = insn.OpCode;
        var j = OpCodes.Jump(op);
        bool jmp32 = insn.Class == InstructionClass.Jmp32;
        switch (j)
        {
            case JumpOp.Exit: return "exit";
            case JumpOp.Call: return $"call {insn.Imm}";
            // JMP32 | JA is gotol: a 32-bit target in imm (cpu v4).
            case JumpOp.Ja when jmp32: return $"gotol {Rel(insn.Imm)}";
            case JumpOp.Ja: return $"goto {Rel(insn.Offset)}";
            case (JumpOp)JumpCond when !jmp32: return $"may_goto {Rel(insn.Offset)}";
        }
        string src = OpCodes.Source(op) == OperandSource.Reg ? Reg(insn.Src, jmp32) : insn.Imm.ToString();
        string cmp = j switch
        {
            JumpOp.Jeq => "==", JumpOp.Jne => "!=", JumpOp.Jgt => ">", JumpOp.Jge => ">=",
            JumpOp.Jlt => "<", JumpOp.Jle => "<=", JumpOp.Jsgt => "s>", JumpOp.Jsge => "s>=",
            JumpOp.Jslt => "s<", JumpOp.Jsle => "s<=", JumpOp.Jset => "&",
            _ => $"<jmp 0x{(byte)j:x2}>",
        };
        return $"if {Reg(insn.Dst, jmp32)} {cmp} {src} goto {Rel(insn.Offset)}";
    }

    static string Rel(int off) => off >= 0 ? $"+{off}" : off.ToString();

    /// <summary>BPF_LOAD_ACQ and BPF_STORE_REL (kernel 6.15+): imm of a STX | ATOMIC instruction.</summary>
    const int LoadAcquire = 0x100, StoreRelease = 0x110;

    static string FormatAtomic(Instruction insn)
    {
        var size = OpCodes.Size(insn.OpCode);
        bool w = size == MemSize.W;
        string sz = SizeName(size);
        string addr = Mem(insn.Dst, insn.Offset);
        string src = Reg(insn.Src, w);
        string bits = w ? "32" : "64";
        string xbits = w ? "32_32" : "_64";
        return insn.Imm switch
        {
            // LLVM's XADDW prints the 64-bit register name even for the 32-bit add.
            (int)AtomicOp.Add => $"lock *({sz} *){addr} += {Reg(insn.Src, false)}",
            (int)AtomicOp.Or => $"lock *({sz} *){addr} |= {src}",
            (int)AtomicOp.And => $"lock *({sz} *){addr} &= {src}",
            (int)AtomicOp.Xor => $"lock *({sz} *){addr} ^= {src}",
            (int)AtomicOp.FetchAdd => $"{src} = atomic_fetch_add(({sz} *){addr}, {src})",
            (int)AtomicOp.FetchOr => $"{src} = atomic_fetch_or(({sz} *){addr}, {src})",
            (int)AtomicOp.FetchAnd => $"{src} = atomic_fetch_and(({sz} *){addr}, {src})",
            (int)AtomicOp.FetchXor => $"{src} = atomic_fetch_xor(({sz} *){addr}, {src})",
            (int)AtomicOp.Xchg => $"{src} = xchg{xbits}({Reg(insn.Dst, false)} {OffText(insn.Offset)}, {src})",
            (int)AtomicOp.CmpXchg => $"{Reg(Register.R0, w)} = cmpxchg{xbits}({Reg(insn.Dst, false)} {OffText(insn.Offset)}, {Reg(Register.R0, w)}, {src})",
            LoadAcquire => $"{Reg(insn.Dst, size != MemSize.DW)} = load_acquire(({sz} *){Mem(insn.Src, insn.Offset)})",
            StoreRelease => $"store_release(({sz} *){addr}, {Reg(insn.Src, size != MemSize.DW)})",
            _ => $"<atomic{bits} 0x{insn.Imm:x}>",
        };
    }

    static string OffText(short off) => off < 0 ? $"- {-(int)off}" : $"+ {off}";
}
