using System.Globalization;
using System.Text.RegularExpressions;
using Ebpf.Asm;

namespace Ebpf.Testing.Tests.Conformance;

/// <summary>An assembler for the bpf_conformance suite's syntax (uBPF style: <c>mov32 %r0, 0</c>, <c>ldxh %r0, [%r1+2]</c>,
/// <c>jne %r0, 15, label</c>, <c>lock fetch add32 [%r10-8], %r1</c>, <c>call local func1</c>) into our instructions.</summary>
/// <remarks>A jump to the label <c>exit</c> that the file does not define goes to an <c>exit</c> appended at the end
/// (the suite uses it as "leave with the current r0").</remarks>
public static partial class ConformanceAssembler
{
    static readonly Dictionary<string, AluOp> AluOps = new()
    {
        ["add"] = AluOp.Add, ["sub"] = AluOp.Sub, ["mul"] = AluOp.Mul, ["div"] = AluOp.Div, ["or"] = AluOp.Or, ["and"] = AluOp.And,
        ["lsh"] = AluOp.Lsh, ["rsh"] = AluOp.Rsh, ["neg"] = AluOp.Neg, ["mod"] = AluOp.Mod, ["xor"] = AluOp.Xor, ["mov"] = AluOp.Mov,
        ["arsh"] = AluOp.Arsh, ["sdiv"] = AluOp.Div, ["smod"] = AluOp.Mod,
    };

    static readonly Dictionary<string, JumpOp> JumpOps = new()
    {
        ["jeq"] = JumpOp.Jeq, ["jgt"] = JumpOp.Jgt, ["jge"] = JumpOp.Jge, ["jset"] = JumpOp.Jset, ["jne"] = JumpOp.Jne,
        ["jsgt"] = JumpOp.Jsgt, ["jsge"] = JumpOp.Jsge, ["jlt"] = JumpOp.Jlt, ["jle"] = JumpOp.Jle, ["jslt"] = JumpOp.Jslt, ["jsle"] = JumpOp.Jsle,
    };

    static readonly Dictionary<string, MemSize> Sizes = new() { ["b"] = MemSize.B, ["h"] = MemSize.H, ["w"] = MemSize.W, ["dw"] = MemSize.DW };

    static readonly Dictionary<string, AtomicOp> AtomicOps = new()
    {
        ["add"] = AtomicOp.Add, ["or"] = AtomicOp.Or, ["and"] = AtomicOp.And, ["xor"] = AtomicOp.Xor,
        ["fetch add"] = AtomicOp.FetchAdd, ["fetch or"] = AtomicOp.FetchOr, ["fetch and"] = AtomicOp.FetchAnd, ["fetch xor"] = AtomicOp.FetchXor,
        ["xchg"] = AtomicOp.Xchg, ["cmpxchg"] = AtomicOp.CmpXchg, ["fetch xchg"] = AtomicOp.Xchg, ["fetch cmpxchg"] = AtomicOp.CmpXchg,
    };

    [GeneratedRegex(@"^\[\s*%r(\d+)\s*(?:([+-])\s*(\w+))?\s*\]$")]
    private static partial Regex MemoryOperand();

    sealed record Fixup(int Index, string Target, bool Call, bool Wide);

    public static List<Instruction> Assemble(IEnumerable<string> lines)
    {
        var insns = new List<Instruction>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var fixups = new List<Fixup>();
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            if (line.EndsWith(':'))
            {
                labels[line[..^1].Trim()] = insns.Count;
                continue;
            }
            int space = line.IndexOfAny([' ', '\t']);
            var mnemonic = space < 0 ? line : line[..space];
            var rest = space < 0 ? "" : line[(space + 1)..].Trim();
            var operands = rest.Length == 0 ? Array.Empty<string>() : rest.Split(',').Select(o => o.Trim()).ToArray();
            insns.Add(One(mnemonic, rest, operands, insns.Count, fixups));
        }
        if (fixups.Any(f => f.Target == "exit") && !labels.ContainsKey("exit"))
        {
            labels["exit"] = insns.Count;
            insns.Add(Insn.Exit());
        }
        var slotOf = new int[insns.Count + 1];
        for (int i = 0; i < insns.Count; i++) slotOf[i + 1] = slotOf[i] + insns[i].Slots;
        foreach (var fixup in fixups)
        {
            int target = fixup.Target.StartsWith('+') || fixup.Target.StartsWith('-')
                ? slotOf[fixup.Index + 1] + int.Parse(fixup.Target, CultureInfo.InvariantCulture)
                : labels.TryGetValue(fixup.Target, out var index) ? slotOf[index]
                : throw new FormatException($"undefined label '{fixup.Target}'");
            int relative = target - slotOf[fixup.Index + 1];
            var insn = insns[fixup.Index];
            insns[fixup.Index] = fixup.Call || fixup.Wide ? insn with { Constant = relative } : insn with { Offset = checked((short)relative) };
        }
        return insns;
    }

    static Instruction One(string mnemonic, string rest, string[] ops, int index, List<Fixup> fixups)
    {
        switch (mnemonic)
        {
            case "exit": return Insn.Exit();
            case "lddw": return Insn.LoadImm64(Reg(ops[0]), (long)ParseUnsigned64(ops[1]));
            case "ja":
                fixups.Add(new Fixup(index, ops[0], false, false));
                return Insn.Ja();
            case "ja32":
                fixups.Add(new Fixup(index, ops[0], false, true));
                return new Instruction((byte)((byte)InstructionClass.Jmp32 | (byte)JumpOp.Ja), Register.R0, Register.R0, 0, 0);
            case "call":
                if (rest.StartsWith("local ", StringComparison.Ordinal))
                {
                    fixups.Add(new Fixup(index, rest[6..].Trim(), true, false));
                    return Insn.CallLocal();
                }
                if (rest.StartsWith('%'))
                    return new Instruction((byte)((byte)InstructionClass.Jmp | (byte)JumpOp.Call | (byte)OperandSource.Reg), Reg(rest), Register.R0, 0, 0);
                return Insn.CallHelper((int)ParseImm(rest));
            case "lock":
                return Atomic(rest);
        }
        foreach (var (prefix, endian) in new[] { ("be", OperandSource.Reg), ("le", OperandSource.Imm) })
            if (mnemonic.Length > 2 && mnemonic.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(mnemonic[2..], out int bits))
                return new Instruction((byte)((byte)InstructionClass.Alu | (byte)AluOp.End | (byte)endian), Reg(ops[0]), Register.R0, 0, bits);
        foreach (var prefix in new[] { "bswap", "swap" })
            if (mnemonic.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(mnemonic[prefix.Length..], out int bits))
                return new Instruction((byte)((byte)InstructionClass.Alu64 | (byte)AluOp.End), Reg(ops[0]), Register.R0, 0, bits);
        if (mnemonic.StartsWith("movsx", StringComparison.Ordinal))
        {
            // movsx<from><to>: 832, 1632 (ALU32), 864, 1664, 3264 (ALU64).
            var digits = mnemonic[5..];
            bool wide = digits.EndsWith("64", StringComparison.Ordinal);
            short from = short.Parse(digits[..^2], CultureInfo.InvariantCulture);
            var cls = wide ? InstructionClass.Alu64 : InstructionClass.Alu;
            return new Instruction((byte)((byte)cls | (byte)AluOp.Mov | (byte)OperandSource.Reg), Reg(ops[0]), Reg(ops[1]), from, 0);
        }
        if (mnemonic.StartsWith("ldx", StringComparison.Ordinal))
        {
            bool signed = mnemonic.Length > 4 && mnemonic[3] == 's' && Sizes.ContainsKey(mnemonic[4..]);
            var size = Sizes[mnemonic[(signed ? 4 : 3)..]];
            var (baseReg, offset) = Mem(ops[1]);
            var insn = Insn.Load(size, Reg(ops[0]), baseReg, offset);
            return signed ? insn with { OpCode = (byte)((byte)InstructionClass.Ldx | (byte)MemMode.MemSx | (byte)size) } : insn;
        }
        if (mnemonic.StartsWith("stx", StringComparison.Ordinal))
        {
            var (baseReg, offset) = Mem(ops[0]);
            return Insn.Store(Sizes[mnemonic[3..]], baseReg, offset, Reg(ops[1]));
        }
        if (mnemonic.StartsWith("st", StringComparison.Ordinal) && Sizes.ContainsKey(mnemonic[2..]))
        {
            var (baseReg, offset) = Mem(ops[0]);
            return Insn.StoreImm(Sizes[mnemonic[2..]], baseReg, offset, (int)ParseImm(ops[1]));
        }
        var (name, width) = SplitWidth(mnemonic);
        if (JumpOps.TryGetValue(name, out var jumpOp))
        {
            fixups.Add(new Fixup(index, ops[2], false, false));
            bool reg = ops[1].StartsWith('%');
            return width == 32
                ? reg ? Insn.Jump32(jumpOp, Reg(ops[0]), Reg(ops[1])) : Insn.Jump32(jumpOp, Reg(ops[0]), (int)ParseImm(ops[1]))
                : reg ? Insn.Jump(jumpOp, Reg(ops[0]), Reg(ops[1])) : Insn.Jump(jumpOp, Reg(ops[0]), (int)ParseImm(ops[1]));
        }
        if (AluOps.TryGetValue(name, out var aluOp))
        {
            short offset = name is "sdiv" or "smod" ? (short)1 : (short)0;
            var cls = width == 32 ? InstructionClass.Alu : InstructionClass.Alu64;
            if (aluOp == AluOp.Neg) return new Instruction((byte)((byte)cls | (byte)AluOp.Neg), Reg(ops[0]), Register.R0, 0, 0);
            bool reg = ops[1].StartsWith('%');
            byte op = (byte)((byte)cls | (byte)aluOp | (byte)(reg ? OperandSource.Reg : OperandSource.Imm));
            return new Instruction(op, Reg(ops[0]), reg ? Reg(ops[1]) : Register.R0, offset, reg ? 0 : (int)ParseImm(ops[1]));
        }
        throw new FormatException($"unknown mnemonic '{mnemonic}'");
    }

    static Instruction Atomic(string rest)
    {
        // [fetch] op[32] [%rD+off], %rS
        int bracket = rest.IndexOf('[');
        var words = rest[..bracket].Trim();
        var (op, width) = SplitWidth(words.Replace(" ", "_"));
        var ops = rest[bracket..].Split(',').Select(o => o.Trim()).ToArray();
        var (baseReg, offset) = Mem(ops[0]);
        return Insn.Atomic(width == 32 ? MemSize.W : MemSize.DW, AtomicOps[op.Replace("_", " ")], baseReg, offset, Reg(ops[1]));
    }

    static (string Name, int Width) SplitWidth(string mnemonic)
        => mnemonic.EndsWith("32", StringComparison.Ordinal) ? (mnemonic[..^2], 32)
            : mnemonic.EndsWith("64", StringComparison.Ordinal) ? (mnemonic[..^2], 64) : (mnemonic, 64);

    static Register Reg(string operand)
    {
        var o = operand.Trim();
        if (!o.StartsWith("%r", StringComparison.Ordinal)) throw new FormatException($"'{operand}' is not a register");
        return (Register)int.Parse(o[2..], CultureInfo.InvariantCulture);
    }

    static (Register Base, short Offset) Mem(string operand)
    {
        var m = MemoryOperand().Match(operand.Trim());
        if (!m.Success) throw new FormatException($"'{operand}' is not a memory operand");
        var reg = (Register)int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        if (!m.Groups[2].Success) return (reg, 0);
        long value = ParseImm(m.Groups[3].Value);
        return (reg, checked((short)(m.Groups[2].Value == "-" ? -value : value)));
    }

    /// <summary>A 32-bit immediate: decimal or hex, negative, or an unsigned 32-bit pattern (0xffffff80 is -128).</summary>
    static long ParseImm(string text)
    {
        long value = ParseSigned(text);
        if (value < int.MinValue || value > uint.MaxValue) throw new FormatException($"immediate '{text}' does not fit 32 bits");
        return unchecked((int)value);
    }

    static long ParseSigned(string text)
    {
        var t = text.Trim();
        bool negative = t.StartsWith('-');
        if (negative || t.StartsWith('+')) t = t[1..];
        long magnitude = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? (long)ulong.Parse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(t, CultureInfo.InvariantCulture);
        return negative ? -magnitude : magnitude;
    }

    static ulong ParseUnsigned64(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('-')) return unchecked((ulong)long.Parse(t, CultureInfo.InvariantCulture));
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(t, CultureInfo.InvariantCulture);
    }
}
