using System.Numerics;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Local algebraic simplification and canonicalization (LLVM's "instcombine" in miniature):
/// identities (<c>x + 0</c>, <c>x &amp; -1</c>), strength reduction (<c>x * 8</c> to <c>x &lt;&lt; 3</c>),
/// constants moved to the right, comparisons folded into the comparison they negate, extensions and
/// masks that known bits prove useless, byte swaps compared with a constant, and constant pointer
/// offsets folded into the offset of loads and stores.</summary>
/// <remarks>
/// Verifier awareness: only constant offsets are folded or combined on pointers. A variable packet
/// offset is never reassociated (<c>(p + x) + 8</c> stays as it is): the verifier proves a range for
/// the register that holds <c>p + x</c>, and the comparison must be made on that very pointer plus a
/// constant. Folding offsets into loads is what makes context reads <c>ldx [r1 + off]</c>, the only form
/// the verifier accepts on the context.
/// </remarks>
public sealed class InstructionCombining : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        bool again = true;
        while (again)
        {
            again = false;
            foreach (var inst in function.Instructions.ToList())
            {
                if (inst.Block is null) continue;
                var replacement = Simplify(inst);
                if (replacement is null) continue;
                if (replacement != inst)
                {
                    if (replacement is Instruction { Block: null } fresh) inst.Block.InsertBefore(fresh, inst);
                    inst.ReplaceAllUsesWith(replacement);
                    inst.Erase();
                }
                again = changed = true;
            }
        }
        if (changed) PointerTypes.Refine(function);
        return changed;
    }

    /// <summary>A simpler equivalent value (a fresh instruction not yet placed is inserted before
    /// <paramref name="inst"/>), <paramref name="inst"/> itself when it was changed in place, or null.</summary>
    static Value? Simplify(Instruction inst) => inst switch
    {
        BinaryInstruction b => SimplifyBinary(b),
        CompareInstruction c => SimplifyCompare(c),
        ConvertInstruction c => SimplifyConvert(c),
        PointerAddInstruction p => SimplifyPointerAdd(p),
        LoadInstruction l => FoldAddress(l, l.Address, l.Offset, o => l.Offset = o),
        StoreInstruction s => SimplifyStore(s),
        AtomicInstruction a => FoldAddress(a, a.Address, a.Offset, o => a.Offset = o),
        ByteSwapInstruction { Operand: ByteSwapInstruction inner } s when inner.Bits == s.Bits && inner.Type == s.Type
            && KnownBits.FitsUnsigned(inner.Operand, s.Bits) => inner.Operand,
        _ => null,
    };

    static Constant C(IrType type, long v) => Constant.Int(type, v);

    static Value? SimplifyBinary(BinaryInstruction b)
    {
        var type = b.Type;
        var (l, r) = (b.Left, b.Right);
        // Constants to the right.
        if (b.IsCommutative && l is Constant && r is not Constant) return new BinaryInstruction(b.Op, r, l) { Location = b.Location };
        if (r is Constant count && b.Op is BinaryOp.Shl or BinaryOp.LShr or BinaryOp.AShr && count.Bits >= (ulong)type.Bits)
        {
            // A count that became constant after folding: masked as C# and BPF do at run time (the
            // kernel rejects an immediate shift of the width or more).
            return new BinaryInstruction(b.Op, l, C(type, (long)(count.Bits & (ulong)(type.Bits - 1)))) { Location = b.Location };
        }
        if (r is Constant k)
        {
            ulong kv = k.Bits;
            bool zero = kv == 0, one = kv == 1, allOnes = kv == type.Mask;
            switch (b.Op)
            {
                case BinaryOp.Add or BinaryOp.Sub or BinaryOp.Or or BinaryOp.Xor or BinaryOp.Shl or BinaryOp.LShr or BinaryOp.AShr when zero:
                    return l;
                case BinaryOp.Mul or BinaryOp.UDiv or BinaryOp.SDiv when one:
                    return l;
                case BinaryOp.Mul or BinaryOp.And when zero:
                    return C(type, 0);
                case BinaryOp.And when allOnes:
                    return l;
                case BinaryOp.And:
                    // The mask keeps every bit that can be set, as the verifier sees it too: a no-op.
                    if (BitOperations.LeadingZeroCount(kv) <= KnownBits.LeadingZerosTheVerifierKnows(l) && IsLowMask(kv)) return l;
                    if (l is BinaryInstruction { Op: BinaryOp.And, Right: Constant inner } la)
                        return new BinaryInstruction(BinaryOp.And, la.Left, C(type, (long)(inner.Bits & kv))) { Location = b.Location };
                    break;
                case BinaryOp.Or when allOnes:
                    return k;
                case BinaryOp.Sub when type.Bits is 32 or 64:
                    return new BinaryInstruction(BinaryOp.Add, l, C(type, -(long)kv)) { Location = b.Location };
                case BinaryOp.Add when l is BinaryInstruction { Op: BinaryOp.Add, Right: Constant addend } sum:
                    return new BinaryInstruction(BinaryOp.Add, sum.Left, C(type, (long)(addend.Bits + kv))) { Location = b.Location };
                case BinaryOp.Mul when BitOperations.IsPow2(kv):
                    return new BinaryInstruction(BinaryOp.Shl, l, C(type, BitOperations.Log2(kv))) { Location = b.Location };
                case BinaryOp.UDiv when BitOperations.IsPow2(kv):
                    return new BinaryInstruction(BinaryOp.LShr, l, C(type, BitOperations.Log2(kv))) { Location = b.Location };
                case BinaryOp.URem when BitOperations.IsPow2(kv):
                    return new BinaryInstruction(BinaryOp.And, l, C(type, (long)(kv - 1))) { Location = b.Location };
                case BinaryOp.SDiv or BinaryOp.SRem when BitOperations.IsPow2(kv) && KnownBits.IsNonNegative(l):
                    return b.Op == BinaryOp.SDiv
                        ? new BinaryInstruction(BinaryOp.LShr, l, C(type, BitOperations.Log2(kv))) { Location = b.Location }
                        : new BinaryInstruction(BinaryOp.And, l, C(type, (long)(kv - 1))) { Location = b.Location };
                case BinaryOp.AShr when KnownBits.IsNonNegative(l):
                    return new BinaryInstruction(BinaryOp.LShr, l, r) { Location = b.Location };
                case BinaryOp.Xor when type.IsBool && one && l is CompareInstruction cmp:
                    return new CompareInstruction(cmp.Predicate.Inverse(), cmp.Left, cmp.Right) { Location = b.Location };
            }
        }
        if (b.Op is BinaryOp.SDiv or BinaryOp.SRem && KnownBits.IsNonNegative(l) && KnownBits.IsNonNegative(r))
            return new BinaryInstruction(b.Op == BinaryOp.SDiv ? BinaryOp.UDiv : BinaryOp.URem, l, r) { Location = b.Location };
        if (r is Constant { IsZero: true } && b.Op is BinaryOp.UDiv or BinaryOp.URem or BinaryOp.SDiv or BinaryOp.SRem)
            return b.Op is BinaryOp.UDiv or BinaryOp.SDiv ? C(type, 0) : l; // BPF: x / 0 == 0, x % 0 == x
        if (l == r)
        {
            switch (b.Op)
            {
                case BinaryOp.Sub or BinaryOp.Xor: return C(type, 0);
                case BinaryOp.And or BinaryOp.Or: return l;
            }
        }
        return null;
    }

    static bool IsLowMask(ulong v) => v != 0 && (v & (v + 1)) == 0;

    static Value? SimplifyCompare(CompareInstruction c)
    {
        var (l, r) = (c.Left, c.Right);
        if (l is Constant && r is not Constant)
            return new CompareInstruction(c.Predicate.Swapped(), r, l) { Location = c.Location };
        if (l == r && l.Type.IsInt)
            return Constant.Bool(c.Predicate is Predicate.Eq or Predicate.ULe or Predicate.UGe or Predicate.SLe or Predicate.SGe);
        if (r is Constant k && l.Type.IsBool)
        {
            // (cmp) == false is the inverted comparison; (cmp) != false and (cmp) == true are the comparison.
            bool keep = c.Predicate == Predicate.Eq ? k.Bits != 0 : c.Predicate == Predicate.Ne && k.Bits == 0;
            bool invert = c.Predicate == Predicate.Eq ? k.Bits == 0 : c.Predicate == Predicate.Ne && k.Bits != 0;
            if (keep) return l;
            if (invert && l is CompareInstruction inner)
                return new CompareInstruction(inner.Predicate.Inverse(), inner.Left, inner.Right) { Location = c.Location };
        }
        // A signed comparison of values known non-negative is the unsigned one (what clang prints).
        if (c.Predicate.IsSigned() && KnownBits.IsNonNegative(l) && KnownBits.IsNonNegative(r))
            return new CompareInstruction(c.Predicate switch
            {
                Predicate.SLt => Predicate.ULt, Predicate.SLe => Predicate.ULe, Predicate.SGt => Predicate.UGt, _ => Predicate.UGe,
            }, l, r) { Location = c.Location };
        if (r is Constant kc && c.Predicate is Predicate.Eq or Predicate.Ne)
        {
            // bswap(x) == K  <=>  x == bswap(K): the swap is not needed to compare for equality.
            if (l is ByteSwapInstruction s && KnownBits.FitsUnsigned(s.Operand, s.Bits) && kc.Bits <= (s.Bits == 64 ? ulong.MaxValue : (1UL << s.Bits) - 1))
                return new CompareInstruction(c.Predicate, s.Operand, Constant.Int(s.Operand.Type, (long)ConstantFolder.ByteSwap(kc.Bits, s.Bits))) { Location = c.Location };
            // zext(x) == K compares x itself when K fits x's type.
            if (l is ConvertInstruction { Kind: ConversionKind.ZeroExtend } z && kc.Bits <= z.Operand.Type.Mask)
                return new CompareInstruction(c.Predicate, z.Operand, Constant.Int(z.Operand.Type, (long)kc.Bits)) { Location = c.Location };
        }
        return null;
    }

    static Value? SimplifyConvert(ConvertInstruction c)
    {
        var x = c.Operand;
        switch (c.Kind)
        {
            case ConversionKind.SignExtend when KnownBits.IsNonNegative(x):
                return new ConvertInstruction(ConversionKind.ZeroExtend, x, c.Type) { Location = c.Location };
            case ConversionKind.ZeroExtend when x is ConvertInstruction { Kind: ConversionKind.ZeroExtend } inner:
                return new ConvertInstruction(ConversionKind.ZeroExtend, inner.Operand, c.Type) { Location = c.Location };
            case ConversionKind.Truncate when x is ConvertInstruction { Kind: ConversionKind.ZeroExtend or ConversionKind.SignExtend } ext:
                if (ext.Operand.Type == c.Type) return ext.Operand;
                if (ext.Operand.Type.Bits > c.Type.Bits) return new ConvertInstruction(ConversionKind.Truncate, ext.Operand, c.Type) { Location = c.Location };
                return new ConvertInstruction(ext.Kind, ext.Operand, c.Type) { Location = c.Location };
            case ConversionKind.Truncate when x is ConvertInstruction { Kind: ConversionKind.Truncate } inner:
                return new ConvertInstruction(ConversionKind.Truncate, inner.Operand, c.Type) { Location = c.Location };
        }
        return null;
    }

    static Value? SimplifyPointerAdd(PointerAddInstruction p)
    {
        if (p.Offset is Constant { IsZero: true }) return p.Pointer;
        if (p.Offset is Constant k && p.Pointer is PointerAddInstruction { Offset: Constant inner } q)
            return new PointerAddInstruction(q.Pointer, Constant.Int(IrType.I64, inner.Signed + k.Signed)) { Location = p.Location };
        // p + (x + C) is (p + C) + x, so the constant part can be shared with other accesses
        // (data + 14 + ihl reuses data + 14). Only the constant moves inwards: the variable
        // addition stays last, so the register the verifier bounds is still the one accessed.
        if (p.Pointer.Type.Pointee != PointerKind.Context && SplitConstantOffset(p.Offset) is var (variable, constant) && variable is not null)
        {
            var shared = new PointerAddInstruction(p.Pointer, Constant.Int(IrType.I64, constant)) { Location = p.Location };
            p.Block!.InsertBefore(shared, p);
            return new PointerAddInstruction(shared, variable) { Location = p.Location };
        }
        return null;
    }

    /// <summary>An i64 offset written as <c>x + C</c>, also through a zero extension of an i32
    /// addition that cannot wrap (known bits).</summary>
    static (Value? Variable, long Constant) SplitConstantOffset(Value offset)
    {
        switch (offset)
        {
            case BinaryInstruction { Op: BinaryOp.Add, Right: Constant c } add when add.Type == IrType.I64 && add.Left is not Constant:
                return (add.Left, c.Signed);
            case ConvertInstruction { Kind: ConversionKind.ZeroExtend, Operand: BinaryInstruction { Op: BinaryOp.Add, Right: Constant c } add } z
                when add.Type == IrType.I32 && add.Left is not Constant && c.Bits < int.MaxValue && KnownBits.LeadingZeros(add.Left) >= 33:
            {
                var widened = new ConvertInstruction(ConversionKind.ZeroExtend, add.Left, IrType.I64) { Location = z.Location };
                z.Block!.InsertBefore(widened, z);
                return (widened, (long)c.Bits);
            }
            default:
                return (null, 0);
        }
    }

    static Value? SimplifyStore(StoreInstruction s)
    {
        // The store keeps only its low bytes: a truncation or extension feeding it is not needed.
        // (Not into stack slots: promotion wants each slot piece stored with its own type.)
        if (s.Address is not FrameAddressInstruction
            && s.StoredValue is ConvertInstruction { Kind: ConversionKind.Truncate or ConversionKind.ZeroExtend or ConversionKind.SignExtend } t
            && t.Operand.Type.IsInt && t.Operand.Type.StoreSize >= s.Size && t.Type.StoreSize >= s.Size)
        {
            s.SetOperand(1, t.Operand);
            return s;
        }
        return FoldAddress(s, s.Address, s.Offset, o => s.Offset = o);
    }

    /// <summary>Moves a constant pointer offset into the access: <c>load [p + 8]</c> instead of
    /// <c>q = p + 8; load [q]</c>. BPF offsets are signed 16-bit.</summary>
    static Value? FoldAddress(Instruction access, Value address, int offset, Action<int> setOffset)
    {
        if (address is not PointerAddInstruction { Offset: Constant k } add) return null;
        long folded = offset + k.Signed;
        if (folded is < short.MinValue or > short.MaxValue) return null;
        access.SetOperand(0, add.Pointer);
        setOffset((int)folded);
        return access;
    }
}
