using System.Buffers.Binary;
using System.Globalization;

namespace Ebpf.Runtime;

/// <summary>Where a USDT argument lives, in libbpf's usdt.bpf.h terms (<c>enum __bpf_usdt_arg_type</c>).</summary>
public enum UsdtArgumentKind { Constant = 0, Register = 1, RegisterDeref = 2 }

/// <summary>One parsed USDT argument: <see cref="Kind"/>; for a constant its value, for a register the register's offset in
/// x86-64 <c>struct pt_regs</c>, for memory that register plus <see cref="Offset"/>; <see cref="Size"/> bytes, signed or not.</summary>
public sealed record UsdtArgument(UsdtArgumentKind Kind, long Offset, short RegisterOffset, int Size, bool Signed);

/// <summary>Parses x86-64 USDT argument strings (<c>SIZE@OPERAND</c> separated by spaces, SIZE negative when signed,
/// operands in AT&amp;T syntax: <c>$imm</c>, <c>%reg</c>, <c>off(%reg)</c>) and encodes them as usdt.bpf.h's
/// <c>struct __bpf_usdt_spec</c> (the value of the <c>__bpf_usdt_specs</c> map).</summary>
public static class UsdtArguments
{
    /// <summary>BPF_USDT_MAX_ARG_CNT.</summary>
    public const int MaxCount = 12;
    /// <summary>sizeof(struct __bpf_usdt_spec): 12 argument specs of 16 bytes, the u64 cookie, the short count, padding.</summary>
    public const int SpecSize = MaxCount * 16 + 16;

    // offsetof(struct pt_regs, reg) on x86-64, with each register's 64/32/16/8-bit names (the low byte only: the high
    // byte registers ah..dh would need a shift the protocol cannot express).
    static readonly Dictionary<string, short> Registers = BuildRegisters();

    static Dictionary<string, short> BuildRegisters()
    {
        var table = new Dictionary<string, short>(StringComparer.Ordinal);
        void Add(short offset, params string[] names) { foreach (var n in names) table[n] = offset; }
        for (int r = 8; r <= 15; r++)
            Add((short)(r switch { 15 => 0, 14 => 8, 13 => 16, 12 => 24, 11 => 48, 10 => 56, 9 => 64, _ => 72 }), $"r{r}", $"r{r}d", $"r{r}w", $"r{r}b");
        Add(32, "rbp", "ebp", "bp", "bpl");
        Add(40, "rbx", "ebx", "bx", "bl");
        Add(80, "rax", "eax", "ax", "al");
        Add(88, "rcx", "ecx", "cx", "cl");
        Add(96, "rdx", "edx", "dx", "dl");
        Add(104, "rsi", "esi", "si", "sil");
        Add(112, "rdi", "edi", "di", "dil");
        Add(128, "rip", "eip");
        Add(152, "rsp", "esp", "sp", "spl");
        return table;
    }

    /// <summary>The arguments of <paramref name="spec"/>; <see cref="FormatException"/> naming the argument it cannot read.</summary>
    public static IReadOnlyList<UsdtArgument> Parse(string spec)
    {
        var result = new List<UsdtArgument>();
        foreach (var token in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (result.Count == MaxCount) throw new FormatException($"USDT argument spec '{spec}' has more than {MaxCount} arguments (libbpf's limit)");
            result.Add(ParseOne(token, spec));
        }
        return result;
    }

    static UsdtArgument ParseOne(string token, string spec)
    {
        FormatException Bad(string why) => new($"USDT argument '{token}' of '{spec}': {why}");
        int at = token.IndexOf('@');
        if (at <= 0 || !int.TryParse(token[..at], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int size))
            throw Bad("expected SIZE@OPERAND");
        bool signed = size < 0;
        size = Math.Abs(size);
        if (size is not (1 or 2 or 4 or 8)) throw Bad($"size {size} is not 1, 2, 4 or 8 bytes");
        string operand = token[(at + 1)..];
        if (operand.StartsWith('$'))
            return new UsdtArgument(UsdtArgumentKind.Constant, ParseNumber(operand[1..]) ?? throw Bad("the constant is not a number"), 0, size, signed);
        if (operand.StartsWith('%'))
            return new UsdtArgument(UsdtArgumentKind.Register, 0, Register(operand[1..]), size, signed);
        int open = operand.IndexOf('(');
        if (open >= 0 && operand.EndsWith(')'))
        {
            string inner = operand[(open + 1)..^1];
            if (inner.Contains(','))
                throw Bad("indexed memory operands (base, index, scale) are not in usdt.bpf.h's protocol");
            if (!inner.StartsWith('%')) throw Bad("expected a register inside the parentheses");
            long offset = open == 0 ? 0 : ParseNumber(operand[..open]) ?? throw Bad("the displacement is not a number (symbolic displacements are not supported)");
            return new UsdtArgument(UsdtArgumentKind.RegisterDeref, offset, Register(inner[1..]), size, signed);
        }
        throw Bad("expected $constant, %register or offset(%register)");

        short Register(string name) => Registers.TryGetValue(name, out var offset) ? offset
            : throw Bad($"'%{name}' is not an x86-64 general purpose register this protocol can read");
    }

    static long? ParseNumber(string text)
    {
        bool negative = text.StartsWith('-');
        string digits = negative || text.StartsWith('+') ? text[1..] : text;
        bool ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok) return null;
        return negative ? -(long)value : (long)value;
    }

    /// <summary>Writes <c>struct __bpf_usdt_spec</c> for <paramref name="arguments"/>: per argument <c>val_off</c> (u64),
    /// <c>arg_type</c> (u32), <c>reg_off</c> (s16), <c>arg_signed</c> (bool), <c>arg_bitshift</c> (64 - 8 x size);
    /// then <c>usdt_cookie</c> at 192 and <c>arg_cnt</c> at 200.</summary>
    public static byte[] EncodeSpec(IReadOnlyList<UsdtArgument> arguments, ulong cookie)
    {
        var spec = new byte[SpecSize];
        for (int i = 0; i < arguments.Count; i++)
        {
            var a = arguments[i];
            var slot = spec.AsSpan(i * 16, 16);
            BinaryPrimitives.WriteInt64LittleEndian(slot, a.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[8..], (uint)a.Kind);
            BinaryPrimitives.WriteInt16LittleEndian(slot[12..], a.RegisterOffset);
            slot[14] = a.Signed ? (byte)1 : (byte)0;
            slot[15] = (byte)(64 - a.Size * 8);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(spec.AsSpan(MaxCount * 16), cookie);
        BinaryPrimitives.WriteInt16LittleEndian(spec.AsSpan(MaxCount * 16 + 8), (short)arguments.Count);
        return spec;
    }
}
