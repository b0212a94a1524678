using System.Buffers.Binary;
using Ebpf.Asm;

namespace Ebpf.Testing.Isa;

/// <summary>The arithmetic of the instruction set (RFC 9669 §4.1) as pure functions: 64-bit and 32-bit operations,
/// signed division and modulo (ISA v4, <c>off = 1</c>), sign-extending moves (<c>movsx</c>) and byte swaps.</summary>
/// <remarks>Division by zero gives 0 and modulo by zero leaves the dividend, as the kernel defines them; the signed
/// overflow case <c>MIN / -1</c> wraps to MIN and <c>MIN % -1</c> is 0 (where .NET would throw).</remarks>
public static class Alu
{
    /// <summary>An ALU64 operation (not <see cref="AluOp.End"/>) on 64-bit operands; <paramref name="offset"/> selects
    /// signed division/modulo (1) or a sign-extending move (8, 16, 32).</summary>
    public static ulong Alu64(AluOp op, ulong dst, ulong src, short offset) => op switch
    {
        AluOp.Add => dst + src,
        AluOp.Sub => dst - src,
        AluOp.Mul => dst * src,
        AluOp.Div => offset == 1 ? (ulong)SignedDiv((long)dst, (long)src) : src == 0 ? 0 : dst / src,
        AluOp.Mod => offset == 1 ? (ulong)SignedMod((long)dst, (long)src) : src == 0 ? dst : dst % src,
        AluOp.Or => dst | src,
        AluOp.And => dst & src,
        AluOp.Lsh => dst << (int)(src & 63),
        AluOp.Rsh => dst >> (int)(src & 63),
        AluOp.Neg => (ulong)-(long)dst,
        AluOp.Xor => dst ^ src,
        AluOp.Mov => offset switch
        {
            8 => (ulong)(long)(sbyte)src,
            16 => (ulong)(long)(short)src,
            32 => (ulong)(long)(int)src,
            _ => src,
        },
        AluOp.Arsh => (ulong)((long)dst >> (int)(src & 63)),
        AluOp.End => throw new ArgumentException("byte swaps go through ByteSwap", nameof(op)),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an ALU operation"),
    };

    /// <summary>An ALU (32-bit) operation on the low halves; the result is zero-extended to 64 bits.</summary>
    public static ulong Alu32(AluOp op, ulong dst, ulong src, short offset)
    {
        uint d = (uint)dst, s = (uint)src;
        uint r = op switch
        {
            AluOp.Add => d + s,
            AluOp.Sub => d - s,
            AluOp.Mul => d * s,
            AluOp.Div => offset == 1 ? (uint)SignedDiv((int)d, (int)s) : s == 0 ? 0 : d / s,
            AluOp.Mod => offset == 1 ? (uint)SignedMod((int)d, (int)s) : s == 0 ? d : d % s,
            AluOp.Or => d | s,
            AluOp.And => d & s,
            AluOp.Lsh => d << (int)(s & 31),
            AluOp.Rsh => d >> (int)(s & 31),
            AluOp.Neg => (uint)-(int)d,
            AluOp.Xor => d ^ s,
            AluOp.Mov => offset switch
            {
                8 => (uint)(int)(sbyte)s,
                16 => (uint)(int)(short)s,
                _ => s,
            },
            AluOp.Arsh => (uint)((int)d >> (int)(s & 31)),
            AluOp.End => throw new ArgumentException("byte swaps go through ByteSwap", nameof(op)),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an ALU operation"),
        };
        return r;
    }

    /// <summary>A byte-swap instruction: <c>le</c>/<c>be</c> (ALU class, source bit 0/1) convert the low
    /// <paramref name="bits"/> to little/big endian on this little-endian machine; <c>bswap</c> (ALU64 class, ISA v4)
    /// swaps unconditionally. The result is zero-extended.</summary>
    public static ulong ByteSwap(InstructionClass cls, OperandSource source, ulong value, int bits)
    {
        bool swap = cls == InstructionClass.Alu64 || source == OperandSource.Reg;
        return bits switch
        {
            16 => swap ? BinaryPrimitives.ReverseEndianness((ushort)value) : (ushort)value,
            32 => swap ? BinaryPrimitives.ReverseEndianness((uint)value) : (uint)value,
            64 => swap ? BinaryPrimitives.ReverseEndianness(value) : value,
            _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "byte swaps take 16, 32 or 64 bits"),
        };
    }

    static long SignedDiv(long a, long b) => b == 0 ? 0 : b == -1 ? unchecked(-a) : a / b;
    static long SignedMod(long a, long b) => b == 0 ? a : b == -1 ? 0 : a % b;
    static int SignedDiv(int a, int b) => b == 0 ? 0 : b == -1 ? unchecked(-a) : a / b;
    static int SignedMod(int a, int b) => b == 0 ? a : b == -1 ? 0 : a % b;
}

/// <summary>The conditions of conditional jumps (RFC 9669 §4.3) as a pure function.</summary>
public static class Conditions
{
    /// <summary>Whether <paramref name="op"/> holds for <paramref name="dst"/> and <paramref name="src"/>; with
    /// <paramref name="wide"/> false (JMP32) only the low 32 bits are compared.</summary>
    public static bool Holds(JumpOp op, ulong dst, ulong src, bool wide)
    {
        if (!wide)
        {
            uint a = (uint)dst, b = (uint)src;
            return op switch
            {
                JumpOp.Jeq => a == b, JumpOp.Jne => a != b, JumpOp.Jset => (a & b) != 0,
                JumpOp.Jgt => a > b, JumpOp.Jge => a >= b, JumpOp.Jlt => a < b, JumpOp.Jle => a <= b,
                JumpOp.Jsgt => (int)a > (int)b, JumpOp.Jsge => (int)a >= (int)b, JumpOp.Jslt => (int)a < (int)b, JumpOp.Jsle => (int)a <= (int)b,
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a conditional jump"),
            };
        }
        return op switch
        {
            JumpOp.Jeq => dst == src, JumpOp.Jne => dst != src, JumpOp.Jset => (dst & src) != 0,
            JumpOp.Jgt => dst > src, JumpOp.Jge => dst >= src, JumpOp.Jlt => dst < src, JumpOp.Jle => dst <= src,
            JumpOp.Jsgt => (long)dst > (long)src, JumpOp.Jsge => (long)dst >= (long)src, JumpOp.Jslt => (long)dst < (long)src, JumpOp.Jsle => (long)dst <= (long)src,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a conditional jump"),
        };
    }
}
