using System.Numerics;

namespace Ebpf.Compiler.IR;

/// <summary>How many high bits of a value's 64-bit register are known to be zero. Passes use it to
/// drop extensions and masks that cannot change anything (a sign extension of a value whose sign
/// bit is clear is a zero extension, which is free under the IR's register invariant).</summary>
public static class KnownBits
{
    const int MaxDepth = 8;

    /// <summary>A lower bound on the leading zero bits of <paramref name="v"/> in its register.</summary>
    public static int LeadingZeros(Value v) => LeadingZeros(v, MaxDepth, verifierTracked: false);

    /// <summary>The same bound, from what the kernel verifier also tracks: an operation that narrows a value (a mask)
    /// may be dropped only by this bound, because the verifier may need the narrowing to bound a loop or an index. The
    /// verifier of the kernels we target (6.1 and later) gives division and remainder results no bounds.</summary>
    public static int LeadingZerosTheVerifierKnows(Value v) => LeadingZeros(v, MaxDepth, verifierTracked: true);

    /// <summary>Whether the value, read as a signed number of its type, is never negative.</summary>
    public static bool IsNonNegative(Value v) => v.Type.IsInt && LeadingZeros(v) > 64 - v.Type.Bits;

    /// <summary>Whether the value fits in <paramref name="bits"/> bits without sign (its upper bits are zero).</summary>
    public static bool FitsUnsigned(Value v, int bits) => LeadingZeros(v) >= 64 - bits;

    static int LeadingZeros(Value v, int depth, bool verifierTracked)
    {
        int floor = v.Type.IsInt ? 64 - v.Type.Bits : 0;
        if (v is Constant c) return BitOperations.LeadingZeroCount(c.Bits);
        if (depth == 0 || v is not Instruction inst) return floor;
        int Lz(Value x) => LeadingZeros(x, depth - 1, verifierTracked);
        int result = inst switch
        {
            LoadInstruction l when l.Type.IsInt => 64 - 8 * l.Size,
            ConvertInstruction { Kind: ConversionKind.ZeroExtend } z => Lz(z.Operand),
            ConvertInstruction { Kind: ConversionKind.Truncate } t => Lz(t.Operand),
            ConvertInstruction { Kind: ConversionKind.SignExtend } s when Lz(s.Operand) > 64 - s.Operand.Type.Bits => Lz(s.Operand),
            BinaryInstruction { Op: BinaryOp.And } b => Math.Max(Lz(b.Left), Lz(b.Right)),
            BinaryInstruction { Op: BinaryOp.Or or BinaryOp.Xor } b => Math.Min(Lz(b.Left), Lz(b.Right)),
            BinaryInstruction { Op: BinaryOp.LShr, Right: Constant k } b => Math.Min(64, Lz(b.Left) + (int)k.Bits),
            BinaryInstruction { Op: BinaryOp.Shl, Right: Constant k } b => Math.Max(0, Lz(b.Left) - (int)k.Bits),
            BinaryInstruction { Op: BinaryOp.Add } b => Math.Max(0, Math.Min(Lz(b.Left), Lz(b.Right)) - 1),
            BinaryInstruction { Op: BinaryOp.Mul } b => Math.Max(0, Lz(b.Left) + Lz(b.Right) - 64),
            BinaryInstruction { Op: BinaryOp.UDiv or BinaryOp.URem } when verifierTracked => floor,
            BinaryInstruction { Op: BinaryOp.UDiv } b => Lz(b.Left),
            BinaryInstruction { Op: BinaryOp.URem } b => Math.Max(Lz(b.Left), Lz(b.Right)),
            ByteSwapInstruction s => 64 - s.Bits,
            CompareInstruction => 63,
            PhiInstruction p when InductionBound(p) is { } max => BitOperations.LeadingZeroCount(max),
            PhiInstruction p => p.Operands.Count == 0 ? floor : p.Operands.Min(o => ReferenceEquals(o, p) ? 64 : Lz(o)),
            CopyInstruction cp => Lz(cp.Source),
            _ => floor,
        };
        return Math.Max(floor, Math.Min(64, result));
    }

    /// <summary>The largest value of a counted loop's induction variable (<c>for (int i = 0; i &lt; 16; i++)</c>): a
    /// header phi of a non-negative constant and <c>i + k</c>, where the header leaves the loop unless <c>i &lt; C</c>
    /// (or <c>&lt;=</c>, signed or not). The increment runs only on the path where the test held: the block bringing
    /// <c>i + k</c> back cannot be reached from the exit edge without passing the header. Null when not such a loop
    /// or when <c>C - 1 + k</c> could wrap past the sign bit.</summary>
    static ulong? InductionBound(PhiInstruction phi)
    {
        if (!phi.Type.IsInt || phi.Operands.Count != 2 || phi.Block is not { } header) return null;
        if (header.Terminator is not BranchInstruction { Condition: CompareInstruction { Left: var left, Right: Constant limit } test } branch
            || !ReferenceEquals(left, phi) || test.Predicate is not (Predicate.SLt or Predicate.SLe or Predicate.ULt or Predicate.ULe))
            return null;
        int stepIndex = phi.Operands[0] is BinaryInstruction ? 0 : 1;
        if (phi.Operands[1 - stepIndex] is not Constant { Signed: >= 0 } start) return null;
        if (phi.Operands[stepIndex] is not BinaryInstruction { Op: BinaryOp.Add, Right: Constant { Signed: > 0 and < 1 << 16 } step } add
            || !ReferenceEquals(add.Left, phi))
            return null;
        long signedMax = phi.Type.Bits >= 64 ? long.MaxValue : (1L << (phi.Type.Bits - 1)) - 1;
        bool signed = test.Predicate is Predicate.SLt or Predicate.SLe;
        if (signed ? limit.Signed < 0 : limit.Bits > (ulong)signedMax) return null;
        long last = (signed ? limit.Signed : (long)limit.Bits) - (test.Predicate is Predicate.SLt or Predicate.ULt ? 1 : 0);
        if (last > signedMax - step.Signed) return null;
        if (ReachesWithout(branch.IfFalse, phi.IncomingBlocks[stepIndex], header)) return null;
        return (ulong)Math.Max(start.Signed, last + step.Signed);
    }

    static bool ReachesWithout(BasicBlock from, BasicBlock target, BasicBlock avoided)
    {
        var seen = new HashSet<BasicBlock>();
        var work = new Stack<BasicBlock>();
        work.Push(from);
        while (work.Count > 0)
        {
            var block = work.Pop();
            if (block == avoided || !seen.Add(block)) continue;
            if (block == target) return true;
            foreach (var next in block.Successors) work.Push(next);
        }
        return false;
    }
}
