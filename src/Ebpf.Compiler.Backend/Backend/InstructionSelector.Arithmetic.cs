using Ebpf.Asm;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Backend;

// Arithmetic, conversions and the signed division BPF (before cpu v4) lacks.
internal sealed partial class InstructionSelector
{
    static AluOp AluOf(BinaryOp op) => op switch
    {
        BinaryOp.Add => AluOp.Add, BinaryOp.Sub => AluOp.Sub, BinaryOp.Mul => AluOp.Mul,
        BinaryOp.UDiv => AluOp.Div, BinaryOp.URem => AluOp.Mod,
        BinaryOp.And => AluOp.And, BinaryOp.Or => AluOp.Or, BinaryOp.Xor => AluOp.Xor,
        BinaryOp.Shl => AluOp.Lsh, BinaryOp.LShr => AluOp.Rsh, BinaryOp.AShr => AluOp.Arsh,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no single BPF instruction"),
    };

    /// <summary>Two-address arithmetic: <c>d = left; d op= right</c> (the copy disappears when the
    /// allocator gives both the same register).</summary>
    void SelectBinary(BinaryInstruction b)
    {
        bool is32 = b.Type.Bits <= 32;
        if (b.Op is BinaryOp.SDiv or BinaryOp.SRem)
        {
            _regs[b] = SignedDivision(b, is32);
            return;
        }
        var op = AluOf(b.Op);
        // ALU32 reads the low 32 bits of its operands only.
        var left = is32 && b.Type.Bits == 32 ? LowBits(b.Left, 32) : b.Left;
        var right = is32 && b.Type.Bits == 32 ? LowBits(b.Right, 32) : b.Right;
        var d = IntoNew(left);
        // The kernel rejects a division by an immediate zero: such a divisor goes through a register.
        bool isDivision = op is AluOp.Div or AluOp.Mod;
        if (TryImmediate(right, is32, out int imm) && !(isDivision && imm == 0))
        {
            if (op is AluOp.Lsh or AluOp.Rsh or AluOp.Arsh) imm &= is32 ? 31 : 63; // the kernel rejects out-of-range immediate shifts
            Emit(new MInstr { Op = MOp.Alu, Alu = op, Dst = d, Imm = imm, Is32 = is32 });
        }
        else
            Emit(new MInstr { Op = MOp.Alu, Alu = op, Dst = d, Src = ValueReg(right), Is32 = is32 });
        _regs[b] = d;
    }

    /// <summary>C#'s signed <c>/</c> and <c>%</c> without cpu v4's SDIV/SMOD: divide the magnitudes
    /// unsigned, then give the quotient the sign of <c>a ^ b</c> and the remainder the sign of
    /// <c>a</c>, branch-free (<c>s = x s&gt;&gt; 31; |x| = (x ^ s) - s</c>). Division by zero gives 0 and
    /// <c>x % 0</c> gives x, as BPF does; <c>MinValue / -1</c> wraps to MinValue.</summary>
    Reg SignedDivision(BinaryInstruction b, bool is32)
    {
        int signShift = is32 ? 31 : 63;
        var a = ValueReg(b.Left);
        if (b.Op == BinaryOp.SDiv && b.Right is Constant { Signed: > 1 } pow && System.Numerics.BitOperations.IsPow2((ulong)pow.Signed))
        {
            // x / 2^k rounds towards zero: add 2^k - 1 to negative x first (the bias is the sign bits
            // shifted down), then shift arithmetically.
            int log = System.Numerics.BitOperations.Log2((ulong)pow.Signed);
            var q = _mf.NewVirtual();
            Emit(new MInstr { Op = MOp.Mov, Dst = q, Src = a, Is32 = is32, IsCopy = true });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Arsh, Dst = q, Imm = signShift, Is32 = is32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Rsh, Dst = q, Imm = signShift + 1 - log, Is32 = is32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = q, Src = a, Is32 = is32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Arsh, Dst = q, Imm = log, Is32 = is32 });
            return q;
        }
        Reg SignOf(Reg x)
        {
            var s = _mf.NewVirtual();
            Emit(new MInstr { Op = MOp.Mov, Dst = s, Src = x, Is32 = is32, IsCopy = true });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Arsh, Dst = s, Imm = signShift, Is32 = is32 });
            return s;
        }
        Reg Magnitude(Reg x, Reg sign)
        {
            var m = _mf.NewVirtual();
            Emit(new MInstr { Op = MOp.Mov, Dst = m, Src = x, Is32 = is32, IsCopy = true });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Xor, Dst = m, Src = sign, Is32 = is32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Sub, Dst = m, Src = sign, Is32 = is32 });
            return m;
        }
        void ApplySign(Reg x, Reg sign)
        {
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Xor, Dst = x, Src = sign, Is32 = is32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Sub, Dst = x, Src = sign, Is32 = is32 });
        }

        var signA = SignOf(a);
        var magA = Magnitude(a, signA);
        var result = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = result, Src = magA, Is32 = is32, IsCopy = true });
        var op = b.Op == BinaryOp.SDiv ? AluOp.Div : AluOp.Mod;
        if (b.Right is Constant k && k.Signed > 0 && TryImmediate(k, is32, out int imm))
        {
            // A positive constant divisor is its own magnitude: only the dividend's sign matters.
            Emit(new MInstr { Op = MOp.Alu, Alu = op, Dst = result, Imm = imm, Is32 = is32 });
            ApplySign(result, signA);
            return result;
        }
        var divisor = ValueReg(b.Right);
        var signB = SignOf(divisor);
        var magB = Magnitude(divisor, signB);
        Emit(new MInstr { Op = MOp.Alu, Alu = op, Dst = result, Src = magB, Is32 = is32 });
        if (op == AluOp.Mod)
        {
            ApplySign(result, signA);
            return result;
        }
        var sign = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = sign, Src = signA, Is32 = is32, IsCopy = true });
        Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Xor, Dst = sign, Src = signB, Is32 = is32 });
        ApplySign(result, sign);
        return result;
    }

    /// <summary>Conversions under the register invariant (narrow values are zero-extended): zero
    /// extension and pointer casts are copies; sign extension is a shift pair; truncation is a
    /// <c>w = w</c> (to 32 bits) or a mask, unless known bits show the value already fits.</summary>
    void SelectConvert(ConvertInstruction c)
    {
        var from = c.Operand.Type;
        var to = c.Type;
        switch (c.Kind)
        {
            case ConversionKind.SignExtend:
            {
                // The shifts look at the low bits only: a truncation feeding them is not needed.
                var source = c.Operand is ConvertInstruction { Kind: ConversionKind.Truncate } t && t.Operand.Type.IsInt ? t.Operand : c.Operand;
                var d = IntoNew(source);
                bool is32 = to.Bits <= 32;
                int shift = (is32 ? 32 : 64) - from.Bits;
                Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Lsh, Dst = d, Imm = shift, Is32 = is32 });
                Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Arsh, Dst = d, Imm = shift, Is32 = is32 });
                if (is32 && to.Bits < 32)
                    Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.And, Dst = d, Imm = (int)to.Mask, Is32 = true });
                _regs[c] = d;
                return;
            }
            case ConversionKind.Truncate when !KnownBits.FitsUnsigned(c.Operand, to.Bits):
            {
                var d = _mf.NewVirtual();
                if (to.Bits == 32)
                {
                    Emit(new MInstr { Op = MOp.Mov, Dst = d, Src = ValueReg(c.Operand), Is32 = true }); // zero-extends: not a copy
                }
                else
                {
                    MaterializeInto(c.Operand, d);
                    Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.And, Dst = d, Imm = (int)to.Mask, Is32 = true });
                }
                _regs[c] = d;
                return;
            }
            default:
                _regs[c] = IntoNew(c.Operand);
                return;
        }
    }
}
