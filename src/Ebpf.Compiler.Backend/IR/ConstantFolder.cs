namespace Ebpf.Compiler.IR;

/// <summary>Evaluates instructions on constant operands with the run-time semantics of the code the
/// backend emits, so folding never changes behaviour: arithmetic wraps at the type's width, shift
/// counts are masked (C#'s and BPF's rule), and division by zero gives BPF's results
/// (<c>x / 0 == 0</c>, <c>x % 0 == x</c>) since eBPF cannot throw.</summary>
public static class ConstantFolder
{
    /// <summary>The constant result of <paramref name="inst"/> if all its inputs are constants, else null.</summary>
    public static Constant? TryFold(Instruction inst) => inst switch
    {
        BinaryInstruction { Left: Constant a, Right: Constant b } bin => Binary(bin.Op, a, b),
        NegateInstruction { Operand: Constant a } n => Constant.Int(n.Type, -(long)a.Bits),
        ByteSwapInstruction { Operand: Constant a } s => Constant.Int(s.Type, (long)ByteSwap(a.Bits, s.Bits)),
        CompareInstruction { Left: Constant a, Right: Constant b } c => Constant.Bool(Compare(c.Predicate, a, b)),
        ConvertInstruction { Operand: Constant a } c => Convert(c, a),
        _ => null,
    };

    public static Constant Binary(BinaryOp op, Constant a, Constant b)
    {
        var type = a.Type;
        int bits = type.Bits;
        ulong x = a.Bits, y = b.Bits;
        long sx = a.Signed, sy = b.Signed;
        int shift = (int)(y & (ulong)(bits <= 32 ? 31 : 63));
        ulong r = op switch
        {
            BinaryOp.Add => x + y,
            BinaryOp.Sub => x - y,
            BinaryOp.Mul => x * y,
            BinaryOp.UDiv => y == 0 ? 0 : x / y,
            BinaryOp.URem => y == 0 ? x : x % y,
            BinaryOp.SDiv => sy == 0 ? 0 : sy == -1 ? (ulong)(-sx) : (ulong)(sx / sy),
            BinaryOp.SRem => sy == 0 ? (ulong)sx : sy == -1 ? 0 : (ulong)(sx % sy),
            BinaryOp.And => x & y,
            BinaryOp.Or => x | y,
            BinaryOp.Xor => x ^ y,
            BinaryOp.Shl => x << shift,
            BinaryOp.LShr => x >> shift,
            BinaryOp.AShr => (ulong)(sx >> shift),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        return Constant.Int(type, (long)r);
    }

    public static bool Compare(Predicate p, Constant a, Constant b) => p switch
    {
        Predicate.Eq => a.Bits == b.Bits,
        Predicate.Ne => a.Bits != b.Bits,
        Predicate.ULt => a.Bits < b.Bits,
        Predicate.ULe => a.Bits <= b.Bits,
        Predicate.UGt => a.Bits > b.Bits,
        Predicate.UGe => a.Bits >= b.Bits,
        Predicate.SLt => a.Signed < b.Signed,
        Predicate.SLe => a.Signed <= b.Signed,
        Predicate.SGt => a.Signed > b.Signed,
        Predicate.SGe => a.Signed >= b.Signed,
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    static Constant? Convert(ConvertInstruction c, Constant a) => c.Kind switch
    {
        ConversionKind.ZeroExtend or ConversionKind.Truncate => Constant.Int(c.Type, (long)a.Bits),
        ConversionKind.SignExtend => Constant.Int(c.Type, a.Signed),
        ConversionKind.PointerCast when a.IsZero => Constant.Null(c.Type),
        ConversionKind.PointerToInt when a.IsZero => Constant.Int(c.Type, 0L),
        _ => null,
    };

    public static ulong ByteSwap(ulong value, int bits) => bits switch
    {
        16 => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)value),
        32 => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)value),
        _ => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value),
    };
}
