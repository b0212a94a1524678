using System.Globalization;

namespace Ebpf.Runtime;

/// <summary>Where a USDT argument lives, in libbpf's usdt.bpf.h terms (<c>enum __bpf_usdt_arg_type</c>;
/// <see cref="IndexedDeref"/> is BPF_USDT_ARG_SIB, libbpf 1.7 and later).</summary>
public enum UsdtArgumentKind { Constant = 0, Register = 1, RegisterDeref = 2, IndexedDeref = 3 }

/// <summary>One parsed USDT argument: <see cref="Kind"/>; for a constant its value, for a register the register's offset in
/// x86-64 <c>struct pt_regs</c>, for memory that register plus <see cref="Offset"/>, and for an indexed operand also
/// the index register's offset and the scale as a shift (address = base + (index &lt;&lt; shift) + offset);
/// <see cref="Size"/> bytes, signed or not.</summary>
public sealed record UsdtArgument(UsdtArgumentKind Kind, long Offset, short RegisterOffset, int Size, bool Signed,
    short IndexRegisterOffset = 0, int ScaleShift = 0);

/// <summary>Parses x86-64 USDT argument strings (<c>SIZE@OPERAND</c> separated by spaces, SIZE negative when signed,
/// operands in AT&amp;T syntax: <c>$imm</c>, <c>%reg</c>, <c>off(%reg)</c>, <c>off(%base,%index,scale)</c>).</summary>
public static class UsdtArguments
{
    /// <summary>BPF_USDT_MAX_ARG_CNT.</summary>
    public const int MaxCount = 12;

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
            long offset = open == 0 ? 0 : ParseNumber(operand[..open]) ?? throw Bad("the displacement is not a number (symbolic displacements are not supported)");
            var parts = operand[(open + 1)..^1].Split(',');
            if (parts.Length > 3) throw Bad("expected (%base), (%base,%index) or (%base,%index,scale)");
            if (!parts[0].StartsWith('%'))
                throw Bad(parts[0].Length == 0 ? "a memory operand without a base register is not in usdt.bpf.h's protocol" : "expected a register inside the parentheses");
            if (parts.Length == 1)
                return new UsdtArgument(UsdtArgumentKind.RegisterDeref, offset, Register(parts[0][1..]), size, signed);
            if (!parts[1].StartsWith('%')) throw Bad("expected an index register after the base");
            int shift = parts.Length == 2 ? 0 : parts[2] switch
            {
                "1" => 0, "2" => 1, "4" => 2, "8" => 3,
                _ => throw Bad($"scale '{parts[2]}' is not 1, 2, 4 or 8"),
            };
            return new UsdtArgument(UsdtArgumentKind.IndexedDeref, offset, Register(parts[0][1..]), size, signed,
                IndexRegisterOffset: Register(parts[1][1..]), ScaleShift: shift);
        }
        throw Bad("expected $constant, %register, offset(%register) or offset(%base,%index,scale)");

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
}
