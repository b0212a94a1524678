using Ebpf.Asm;
using Ebpf.Compiler.IR;
using Ebpf.Object;
using IrBlock = Ebpf.Compiler.IR.BasicBlock;
using Instruction = Ebpf.Compiler.IR.Instruction;

namespace Ebpf.Compiler.Backend;

/// <summary>Instruction selection: IR (in SSA, critical edges split) to machine instructions over
/// virtual registers. Leaves SSA on the way: a phi becomes copies at the end of each predecessor.</summary>
/// <remarks>
/// Patterns chosen for the verifier and for size:
/// <list type="bullet">
/// <item>A comparison used by a branch becomes the conditional jump itself, on the compared registers
/// (a bounds or null check must test the register later dereferenced, never a materialized bool). The
/// exception is a comparison of two non-constant scalars made before a loop and tested inside it
/// (<see cref="TestedOnceBeforeLoop"/>).</item>
/// <item>Stack slot, map and global addresses are rematerialized at each use (<c>r2 = r10; r2 += -8</c>,
/// <c>ld_imm64</c>) rather than kept in callee-saved registers across calls.</item>
/// <item>Values of 32 bits or fewer use ALU32 (<c>w</c> registers) and JMP32; ALU32 results are
/// zero-extended by the hardware, which is the IR's register invariant, so zero extension is free.
/// Pointers are compared with 64-bit jumps (the verifier only tracks packet ranges from those).</item>
/// <item>Constant offsets are folded into loads and stores (<c>ldx [r1 + 4]</c>), the only form the
/// verifier accepts on the context.</item>
/// </list>
/// </remarks>
internal sealed partial class InstructionSelector
{
    readonly IrFunction _ir;
    readonly MachineFunction _mf;
    readonly Dictionary<IrBlock, MBlock> _entryOf = new();
    readonly Dictionary<Value, Reg> _regs = new();
    /// <summary>Map and global addresses and constants already in a register, by what they hold.</summary>
    readonly Dictionary<(string Symbol, long Offset), Reg> _rematerialized = new();
    readonly Dictionary<IrBlock, Dictionary<(string, long), Reg>> _rematerializedAtEnd = new();
    readonly Dictionary<PhiInstruction, Constant> _hoisted = new();
    readonly Dictionary<IrBlock, List<PhiInstruction>> _hoistedAt = new();
    readonly List<string> _callees = new();
    readonly List<NaturalLoop> _loops;
    MBlock _current = null!;
    SourceLocation? _location;

    /// <summary>Whether constant stores use BPF_ST (<c>*(u64 *)(r10 - 8) = 1</c>): one instruction less, but
    /// LLVM's disassembler before version 16 prints <c>&lt;unknown&gt;</c> for it and clang never emits it.</summary>
    readonly bool _storeImmediates;

    /// <summary>Whether BPF_JMP32 may be used (kernel 5.1); without it a 32-bit comparison widens both sides
    /// to 64 bits first (zero- or sign-extended as the predicate needs).</summary>
    readonly bool _jump32;

    InstructionSelector(IrFunction ir, bool storeImmediates, bool jump32)
    {
        _ir = ir;
        _storeImmediates = storeImmediates;
        _jump32 = jump32;
        _mf = new MachineFunction(ir.Name) { Location = ir.Location };
        _loops = NaturalLoop.Of(new DominatorTree(ir));
    }

    /// <summary>Selects machine code for <paramref name="ir"/>; <paramref name="callees"/> receives the
    /// ids of the functions called with BPF-to-BPF calls.</summary>
    public static MachineFunction Select(IrFunction ir, out IReadOnlyList<string> callees, bool storeImmediates = false, bool jump32 = true)
    {
        var selector = new InstructionSelector(ir, storeImmediates, jump32);
        selector.Run();
        callees = selector._callees;
        return selector._mf;
    }

    void Run()
    {
        foreach (var block in _ir.Blocks)
        {
            var mb = new MBlock(_mf.Blocks.Count);
            _mf.Blocks.Add(mb);
            _entryOf[block] = mb;
            foreach (var phi in block.Phis) _regs[phi] = _mf.NewVirtual();
        }
        var (offsets, frameSize) = StackSlotColoring.Color(_ir);
        _mf.Frame.Place(offsets, frameSize);
        HoistPhiConstants();

        _current = _entryOf[_ir.Entry];
        _location = _ir.Location;
        foreach (var p in _ir.Parameters)
        {
            var r = _mf.NewVirtual();
            Emit(new MInstr { Op = MOp.Mov, Dst = r, Src = Reg.Arg(p.Index), IsCopy = true });
            _regs[p] = r;
        }

        foreach (var block in _ir.Blocks)
        {
            if (block != _ir.Entry) _current = _entryOf[block];
            // An address materialized in the only predecessor (which dominates this block) is reused.
            _rematerialized.Clear();
            if (block.Predecessors is [var pred] && _rematerializedAtEnd.TryGetValue(pred, out var inherited))
                foreach (var (value, reg) in inherited) _rematerialized[value] = reg;
            foreach (var inst in block.Instructions)
            {
                _location = inst.Location ?? _location;
                if (inst is Terminator) _rematerializedAtEnd[block] = new Dictionary<(string, long), Reg>(_rematerialized);
                Select(inst);
            }
        }
    }

    /// <summary>Phi constants set once in the dominator: when several edges into a block bring the
    /// same constant to a phi, the phi's register is set to it at the end of the block's immediate
    /// dominator and those edges need no copy (nor a split block with a jump); the other edges
    /// overwrite it. This is clang's <c>w6 = 2</c> before a chain of early exits. Not done for loop
    /// headers, where a back edge would overwrite the register before an edge that relies on it.</summary>
    void HoistPhiConstants()
    {
        var dom = new DominatorTree(_ir);
        foreach (var block in _ir.Blocks)
        {
            if (!block.Phis.Any() || block.Predecessors.Any(p => dom.Dominates(block, p))) continue;
            if (dom.ImmediateDominator(block) is not { } idom) continue;
            foreach (var phi in block.Phis)
            {
                var best = phi.IncomingBlocks
                    .Select((pred, i) => (Pred: pred, Value: phi.Operands[i] as Constant))
                    .Where(e => e.Value is not null)
                    .GroupBy(e => e.Value!.Bits)
                    .OrderByDescending(g => g.Count())
                    .FirstOrDefault();
                if (best is null) continue;
                // Worth it for two edges or more, or for one edge that would otherwise need its own block.
                bool worth = best.Count() >= 2 || best.Any(e => e.Pred.Instructions.Count == 1 && e.Pred.Terminator is JumpInstruction);
                if (!worth) continue;
                _hoisted[phi] = best.First().Value!;
                (_hoistedAt.TryGetValue(idom, out var list) ? list : _hoistedAt[idom] = new List<PhiInstruction>()).Add(phi);
            }
        }
    }

    /// <summary>Sets the hoisted phi constants whose dominator is <paramref name="block"/> (before its terminator).</summary>
    void EmitHoistedConstants(IrBlock block)
    {
        if (!_hoistedAt.TryGetValue(block, out var phis)) return;
        foreach (var phi in phis) MaterializeInto(_hoisted[phi], _regs[phi]);
    }

    MInstr Emit(MInstr instr)
    {
        instr.Location ??= _location;
        _current.Instructions.Add(instr);
        return instr;
    }

    void Select(Instruction inst)
    {
        switch (inst)
        {
            case PhiInstruction:
            case FrameAddressInstruction or GlobalAddressInstruction or MapHandleInstruction or KernelVariableAddressInstruction:
                return; // phis are copies in the predecessors; addresses are rematerialized at each use
            case PointerAddInstruction p when IsRematerializable(p):
                return;
            case CompareInstruction c:
                if (c.Users.Any(u => u is not BranchInstruction br || TestedOnceBeforeLoop(c, br))) MaterializeCompare(c);
                return;
            case BinaryInstruction b: SelectBinary(b); return;
            case NegateInstruction n:
            {
                var d = IntoNew(n.Operand);
                Emit(new MInstr { Op = MOp.Neg, Dst = d, Is32 = n.Type.Bits <= 32 });
                _regs[n] = d;
                return;
            }
            case ByteSwapInstruction s:
            {
                var d = IntoNew(LowBits(s.Operand, s.Bits));
                Emit(new MInstr { Op = MOp.ByteSwap, Dst = d, Imm = s.Bits });
                _regs[s] = d;
                return;
            }
            case ConvertInstruction c: SelectConvert(c); return;
            case CoreValueInstruction core:
            {
                // A 64-bit mov of the local value; the loader patches its immediate (libbpf and the kernel patch ALU imm).
                var d = _mf.NewVirtual();
                Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = checked((int)core.Request.LocalValue), Core = core.Request });
                _regs[core] = d;
                return;
            }
            case CopyInstruction c: _regs[c] = IntoNew(c.Source); return;
            case PointerAddInstruction p:
            {
                var d = IntoNew(p.Pointer);
                if (TryImmediate(p.Offset, is32: false, out int imm))
                    Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = d, Imm = imm });
                else
                    Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = d, Src = ValueReg(p.Offset) });
                _regs[p] = d;
                return;
            }
            case LoadInstruction l:
            {
                var (b, off) = Address(l.Address, l.Offset);
                var d = _mf.NewVirtual();
                Emit(new MInstr { Op = MOp.Load, Dst = d, Src = b, Off = off, Size = OpCodes.SizeFromBytes(l.Size) });
                _regs[l] = d;
                return;
            }
            case StoreInstruction s:
            {
                var (b, off) = Address(s.Address, s.Offset);
                var size = OpCodes.SizeFromBytes(s.Size);
                if (_storeImmediates && s.StoredValue is Constant c && StoreImmediate(c, s.Size) is int imm)
                    Emit(new MInstr { Op = MOp.StoreImm, Dst = b, Off = off, Imm = imm, Size = size });
                else
                    Emit(new MInstr { Op = MOp.Store, Dst = b, Off = off, Src = ValueReg(LowBits(s.StoredValue, s.Size * 8)), Size = size });
                return;
            }
            case AtomicInstruction a: SelectAtomic(a); return;
            case HelperCallInstruction { Kfunc: { } kfunc } k:
                SelectCall(k, new MInstr { Op = MOp.Call, Imm = 0, ArgCount = k.Operands.Count, IsKfuncCall = true, Symbol = kfunc, Relocation = RelocationKind.Kfunc });
                return;
            case HelperCallInstruction h:
                SelectCall(h, new MInstr { Op = MOp.Call, Imm = h.HelperId, ArgCount = h.Operands.Count });
                return;
            case FunctionCallInstruction f:
                if (!_callees.Contains(f.Callee)) _callees.Add(f.Callee);
                SelectCall(f, new MInstr
                {
                    Op = MOp.Call, Imm = -1, ArgCount = f.Operands.Count, IsLocalCall = true,
                    Symbol = f.Symbol, Relocation = RelocationKind.Call,
                });
                return;
            case FunctionAddressInstruction fa:
            {
                // A callback: the loader makes imm the callee's offset from here (BPF_PSEUDO_FUNC), as for a call.
                if (!_callees.Contains(fa.Callee)) _callees.Add(fa.Callee);
                var d = _mf.NewVirtual();
                Emit(new MInstr { Op = MOp.LoadImm64, Dst = d, Imm = 0, Pseudo = PseudoSource.Func, Symbol = fa.Symbol, Relocation = RelocationKind.Call });
                _regs[fa] = d;
                return;
            }
            case JumpInstruction j:
                EmitHoistedConstants(inst.Block!);
                EmitPhiCopies(inst.Block!, j.Target);
                Emit(new MInstr { Op = MOp.Jump, Target = _entryOf[j.Target] });
                return;
            case BranchInstruction br:
                EmitHoistedConstants(inst.Block!);
                SelectBranch(br);
                return;
            case ReturnInstruction r:
                if (r.ReturnValue is { } v) MaterializeInto(v, Reg.R0);
                else Emit(new MInstr { Op = MOp.Mov, Dst = Reg.R0, Imm = 0 });
                Emit(new MInstr { Op = MOp.Exit });
                return;
            default:
                throw new InvalidOperationException($"instruction selection: no pattern for '{inst.Mnemonic}'");
        }
    }

    // ---- operands ----------------------------------------------------------------------------

    /// <summary>Values recomputed at each use instead of living in a register: constants, stack slot
    /// addresses (possibly plus a constant), map and global addresses.</summary>
    static bool IsRematerializable(Value v) => v is Constant or UndefinedValue or FrameAddressInstruction
        or GlobalAddressInstruction or MapHandleInstruction or KernelVariableAddressInstruction
        || v is PointerAddInstruction { Pointer: FrameAddressInstruction, Offset: Constant };

    /// <summary>A register holding <paramref name="v"/> (materializing rematerializable values).</summary>
    Reg ValueReg(Value v)
    {
        if (!IsRematerializable(v))
            return _regs.TryGetValue(v, out var r) ? r : throw new InvalidOperationException($"instruction selection: value used before its definition ({(v as Instruction)?.Mnemonic ?? v.ToString()})");
        var key = v switch
        {
            GlobalAddressInstruction g => (g.Section, (long)g.Offset),
            MapHandleInstruction m => ("map " + m.MapName, 0L),
            KernelVariableAddressInstruction ksym => ("ksym " + ksym.Name, 0L),
            Constant c => ("const " + (Is32(c.Type) ? "32" : "64"), (long)c.Bits),
            _ => ((string, long)?)null,
        };
        if (key is { } k && _rematerialized.TryGetValue(k, out var cached)) return cached;
        var d = _mf.NewVirtual();
        MaterializeInto(v, d);
        if (key is { } k2) _rematerialized[k2] = d;
        return d;
    }

    /// <summary>The value an instruction reading only the low <paramref name="bits"/> bits can use instead of
    /// <paramref name="v"/>: truncations to at least that width change nothing it reads (<c>w0 += w2</c>
    /// needs no <c>w2 = w2</c> first). The skipped truncation is left to machine dead code elimination.</summary>
    static Value LowBits(Value v, int bits)
    {
        while (v is ConvertInstruction { Kind: ConversionKind.Truncate } t && t.Type.Bits >= bits && t.Operand.Type.IsInt) v = t.Operand;
        return v;
    }

    /// <summary>A fresh register initialized with <paramref name="v"/>, for two-address operations.</summary>
    Reg IntoNew(Value v)
    {
        var d = _mf.NewVirtual();
        MaterializeInto(v, d);
        return d;
    }

    /// <summary>Puts <paramref name="v"/> into register <paramref name="d"/> (which may be physical).</summary>
    void MaterializeInto(Value v, Reg d)
    {
        switch (v)
        {
            case Constant c:
                EmitConstant(d, c);
                return;
            case UndefinedValue:
                Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = 0 });
                return;
            case FrameAddressInstruction fa:
                Emit(new MInstr { Op = MOp.FrameAddress, Dst = d, Off = checked((short)_mf.Frame.OffsetOf(fa.Slot)) });
                return;
            case PointerAddInstruction { Pointer: FrameAddressInstruction fa, Offset: Constant k }:
                Emit(new MInstr { Op = MOp.FrameAddress, Dst = d, Off = checked((short)(_mf.Frame.OffsetOf(fa.Slot) + k.Signed)) });
                return;
            case GlobalAddressInstruction g:
                Emit(new MInstr
                {
                    Op = MOp.LoadImm64, Dst = d, Imm = g.Offset, Pseudo = PseudoSource.MapValue,
                    Symbol = g.Section, Relocation = RelocationKind.GlobalData,
                });
                return;
            case MapHandleInstruction m:
                Emit(new MInstr { Op = MOp.LoadImm64, Dst = d, Imm = 0, Pseudo = PseudoSource.MapFd, Symbol = m.MapName, Relocation = RelocationKind.Map });
                return;
            case KernelVariableAddressInstruction k:
                // As clang leaves `&ksym`: src 0, imm 0; the loader sets BPF_PSEUDO_BTF_ID and the kernel BTF id.
                Emit(new MInstr { Op = MOp.LoadImm64, Dst = d, Imm = 0, Pseudo = PseudoSource.None, Symbol = k.Name, Relocation = RelocationKind.Ksym });
                return;
            default:
                Emit(new MInstr { Op = MOp.Mov, Dst = d, Src = ValueReg(v), Is32 = Is32(v.Type), IsCopy = true });
                return;
        }
    }

    /// <summary>Values of 32 bits or fewer are handled with 32-bit instructions.</summary>
    static bool Is32(IrType t) => t.IsInt && t.Bits <= 32;

    /// <summary>The shortest load of a constant: <c>w = imm</c> for values that fit 32 bits unsigned
    /// (the move zero-extends), <c>r = imm</c> for negative values that fit 32 bits signed (the move
    /// sign-extends), <c>ld_imm64</c> for the rest.</summary>
    void EmitConstant(Reg d, Constant c)
    {
        ulong bits = c.Bits;
        bool fitsUnsigned32 = bits <= uint.MaxValue && (c.Type.IsInt && c.Type.Bits <= 32 || c.Signed > int.MaxValue);
        if (fitsUnsigned32)
            Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = (int)(uint)bits, Is32 = true });
        else if (c.Signed is >= int.MinValue and <= int.MaxValue)
            Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = c.Signed });
        else
            Emit(new MInstr { Op = MOp.LoadImm64, Dst = d, Imm = (long)bits });
    }

    /// <summary>The immediate form of a constant operand: any 32-bit value in a 32-bit operation; in a
    /// 64-bit one only values the sign-extended imm32 reproduces.</summary>
    static bool TryImmediate(Value v, bool is32, out int imm)
    {
        imm = 0;
        if (v is not Constant c) return false;
        if (is32)
        {
            if (c.Bits > uint.MaxValue) return false;
            imm = (int)(uint)c.Bits;
            return true;
        }
        // A narrower constant sits zero-extended in a register; a 64-bit one is read signed.
        long value = c.Type.Bits == 64 ? c.Signed : (long)c.Bits;
        if (value is < int.MinValue or > int.MaxValue) return false;
        imm = (int)value;
        return true;
    }

    /// <summary>The imm of <c>st</c> for a constant store (sign-extended to the store width), or null.</summary>
    static int? StoreImmediate(Constant c, int size)
    {
        if (size <= 4) return (int)(uint)(c.Bits & (size == 4 ? 0xffffffffUL : (1UL << (size * 8)) - 1));
        return c.Signed is >= int.MinValue and <= int.MaxValue ? (int)c.Signed : null;
    }

    /// <summary>Base register and 16-bit offset of a memory access; stack slots address from R10.</summary>
    (Reg Base, short Offset) Address(Value address, int offset)
    {
        long total;
        Reg b;
        switch (address)
        {
            case FrameAddressInstruction fa:
                b = Reg.R10;
                total = _mf.Frame.OffsetOf(fa.Slot) + (long)offset;
                break;
            case PointerAddInstruction { Pointer: FrameAddressInstruction fa, Offset: Constant k }:
                b = Reg.R10;
                total = _mf.Frame.OffsetOf(fa.Slot) + k.Signed + offset;
                break;
            default:
                b = ValueReg(address);
                total = offset;
                break;
        }
        if (total is >= short.MinValue and <= short.MaxValue) return (b, (short)total);
        var t = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = t, Src = b, IsCopy = true });
        if (total is >= int.MinValue and <= int.MaxValue) Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Add, Dst = t, Imm = total });
        else throw new InvalidOperationException("memory offset out of range");
        return (t, 0);
    }

    // ---- control flow ------------------------------------------------------------------------

    void SelectBranch(BranchInstruction br)
    {
        var ifTrue = _entryOf[br.IfTrue];
        var ifFalse = _entryOf[br.IfFalse];
        if (br.Condition is CompareInstruction c && !TestedOnceBeforeLoop(c, br)) EmitCompareJump(c.Predicate, c.Left, c.Right, ifTrue);
        else if (_jump32) Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOp.Jne, Dst = ValueReg(br.Condition), Imm = 0, Is32 = true, Target = ifTrue });
        else Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOp.Jne, Dst = Widened(ValueReg(br.Condition), signed: false), Imm = 0, Target = ifTrue });
        Emit(new MInstr { Op = MOp.Jump, Target = ifFalse });
    }

    void EmitCompareJump(Predicate predicate, Value left, Value right, MBlock target)
    {
        if (left is Constant && right is not Constant)
        {
            (left, right) = (right, left);
            predicate = predicate.Swapped();
        }
        bool is32 = Is32(left.Type);
        if (predicate.IsSigned() && left.Type.Bits < 32)
            throw new InvalidOperationException("signed comparison of a value narrower than 32 bits (C# compares those as int)");
        if (is32 && left.Type.Bits == 32)
        {
            left = LowBits(left, 32);
            right = LowBits(right, 32);
        }
        var dst = ValueReg(left);
        if (is32 && !_jump32)
        {
            // A 64-bit jump on values widened the way the 32-bit one would compare them.
            bool signed = predicate.IsSigned();
            var wideLeft = Widened(dst, signed);
            // A 64-bit jump sign-extends its immediate: right for signed predicates, and for unsigned ones when
            // the constant's bit 31 is clear.
            if (TryImmediate(right, true, out int wideImm) && (signed || wideImm >= 0))
                Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOf(predicate), Dst = wideLeft, Imm = wideImm, Target = target });
            else
                Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOf(predicate), Dst = wideLeft, Src = Widened(ValueReg(right), signed), Target = target });
            return;
        }
        if (TryImmediate(right, is32, out int imm))
            Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOf(predicate), Dst = dst, Imm = imm, Is32 = is32, Target = target });
        else
            Emit(new MInstr { Op = MOp.CondJump, Cond = JumpOf(predicate), Dst = dst, Src = ValueReg(right), Is32 = is32, Target = target });
    }

    /// <summary>A new register holding the low 32 bits of <paramref name="value"/> zero- or sign-extended to 64.</summary>
    Reg Widened(Reg value, bool signed)
    {
        var wide = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = wide, Src = value, Is32 = true });
        if (signed)
        {
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Lsh, Dst = wide, Imm = 32 });
            Emit(new MInstr { Op = MOp.Alu, Alu = AluOp.Arsh, Dst = wide, Imm = 32 });
        }
        return wide;
    }

    static JumpOp JumpOf(Predicate p) => p switch
    {
        Predicate.Eq => JumpOp.Jeq, Predicate.Ne => JumpOp.Jne,
        Predicate.ULt => JumpOp.Jlt, Predicate.ULe => JumpOp.Jle, Predicate.UGt => JumpOp.Jgt, Predicate.UGe => JumpOp.Jge,
        Predicate.SLt => JumpOp.Jslt, Predicate.SLe => JumpOp.Jsle, Predicate.SGt => JumpOp.Jsgt, _ => JumpOp.Jsge,
    };

    /// <summary>Whether <paramref name="branch"/> tests <paramref name="c"/> as the 1 or 0 computed once where
    /// <paramref name="c"/> is, not by comparing again: a comparison of two non-constant scalars made before a loop
    /// whose rounds continue on both sides of the branch.</summary>
    /// <remarks>
    /// The verifier knows no relation between two registers, so a register-register jump on values the loop does not
    /// change is undecided in every round and both sides are walked each time: the paths double per round. Nor do
    /// they merge at the loop head: each side narrows both registers (<c>reg_set_min_max</c>; <c>sync_linked_regs</c>
    /// narrows the copies sharing their id, spill slots included), so the bounds differ from path to path, and the
    /// states of a loop still being explored are compared by range (<c>is_state_visited</c>: <c>RANGE_WITHIN</c> when
    /// <c>incomplete_read_marks</c>, Linux 6.17+), as are precise registers (<c>regsafe</c>). A 64-round loop that also
    /// counts its taken rounds was walked to the 1,000,000-instruction limit. Against a constant the first round's
    /// narrowing decides the later rounds, hence two non-constant operands; a side that leaves the loop forks no more,
    /// hence both sides in the loop. Tested as a known 0 or 1, the flag is decided in every round: one path per
    /// outcome (the loop is walked once for each, which costs more than merged paths would in a short loop, so the
    /// flag is kept to the case that doubles). Pointers stay compared at the branch (packet range and null checks
    /// mark the registers they test).
    /// </remarks>
    bool TestedOnceBeforeLoop(CompareInstruction c, BranchInstruction branch)
        => c.Left is not Constant && c.Right is not Constant && !c.Left.Type.IsPointer && !c.Right.Type.IsPointer
            && _loops.Any(l => l.Body.Contains(branch.IfTrue) && l.Body.Contains(branch.IfFalse) && !l.Body.Contains(c.Block!));

    /// <summary>A comparison whose value is needed (stored, returned, combined, tested in a loop): 1 or 0 in a register.</summary>
    void MaterializeCompare(CompareInstruction c)
    {
        var d = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = 1, Is32 = true });
        var whenFalse = NewBlockAfter(_current);
        var join = NewBlockAfter(whenFalse);
        EmitCompareJump(c.Predicate, c.Left, c.Right, join);
        Emit(new MInstr { Op = MOp.Jump, Target = whenFalse });
        _current = whenFalse;
        Emit(new MInstr { Op = MOp.Mov, Dst = d, Imm = 0, Is32 = true });
        Emit(new MInstr { Op = MOp.Jump, Target = join });
        _current = join;
        _regs[c] = d;
    }

    /// <summary>A fresh block placed right after <paramref name="after"/> (for code that needs its own branches).</summary>
    MBlock NewBlockAfter(MBlock after)
    {
        var mb = new MBlock(_mf.Blocks.Max(b => b.Id) + 1);
        _mf.Blocks.Insert(_mf.Blocks.IndexOf(after) + 1, mb);
        return mb;
    }

    /// <summary>Out of SSA: the copies into the phis of <paramref name="to"/> for the edge from
    /// <paramref name="from"/>, as a parallel copy (phis may read each other's old values).</summary>
    void EmitPhiCopies(IrBlock from, IrBlock to)
    {
        var moves = new List<(Reg Dst, Reg Src, bool Is32)>();
        var constants = new List<(Reg Dst, Value Value)>();
        foreach (var phi in to.Phis)
        {
            var value = phi.IncomingFor(from) ?? throw new InvalidOperationException($"phi without a value for {from}");
            if (value is Constant c && _hoisted.TryGetValue(phi, out var hoisted) && hoisted.Bits == c.Bits) continue;
            var dst = _regs[phi];
            if (IsRematerializable(value)) constants.Add((dst, value));
            else moves.Add((dst, ValueReg(value), Is32(phi.Type)));
        }
        foreach (var (dst, src, is32) in ParallelCopy.Sequentialize(moves, _mf.NewVirtual))
            Emit(new MInstr { Op = MOp.Mov, Dst = dst, Src = src, Is32 = is32, IsCopy = true });
        foreach (var (dst, value) in constants) MaterializeInto(value, dst);
    }

    // ---- calls -------------------------------------------------------------------------------

    /// <summary>Arguments go straight into R1-R5 (constants and addresses materialized there), then the
    /// call; the result is copied out of R0. Rematerialized addresses do not survive the call.</summary>
    void SelectCall(Instruction call, MInstr instr)
    {
        for (int i = 0; i < call.Operands.Count; i++) MaterializeInto(call.Operands[i], Reg.Arg(i));
        Emit(instr);
        _rematerialized.Clear();
        if (call.Type.IsVoid || !call.HasUsers) return;
        var d = _mf.NewVirtual();
        Emit(new MInstr { Op = MOp.Mov, Dst = d, Src = Reg.R0, IsCopy = true, Is32 = Is32(call.Type) });
        _regs[call] = d;
    }

    void SelectAtomic(AtomicInstruction a)
    {
        var (b, off) = Address(a.Address, a.Offset);
        var size = a.Size == 4 ? MemSize.W : MemSize.DW;
        switch (a.Op)
        {
            case AtomicOperation.CompareExchange:
            {
                MaterializeInto(a.Expected!, Reg.R0);
                var src = ValueReg(a.Operand);
                Emit(new MInstr { Op = MOp.Atomic, Atomic = AtomicOp.CmpXchg, Dst = b, Off = off, Src = src, Size = size });
                var d = _mf.NewVirtual();
                Emit(new MInstr { Op = MOp.Mov, Dst = d, Src = Reg.R0, IsCopy = true, Is32 = size == MemSize.W });
                _regs[a] = d;
                return;
            }
            case AtomicOperation.Exchange:
            {
                var t = IntoNew(a.Operand);
                Emit(new MInstr { Op = MOp.Atomic, Atomic = AtomicOp.Xchg, Dst = b, Off = off, Src = t, Size = size });
                _regs[a] = t;
                return;
            }
            default:
            {
                var (plain, fetch) = a.Op switch
                {
                    AtomicOperation.Add => (AtomicOp.Add, AtomicOp.FetchAdd),
                    AtomicOperation.And => (AtomicOp.And, AtomicOp.FetchAnd),
                    AtomicOperation.Or => (AtomicOp.Or, AtomicOp.FetchOr),
                    _ => (AtomicOp.Xor, AtomicOp.FetchXor),
                };
                if (a.HasUsers)
                {
                    var t = IntoNew(a.Operand);
                    Emit(new MInstr { Op = MOp.Atomic, Atomic = fetch, Dst = b, Off = off, Src = t, Size = size });
                    _regs[a] = t;
                }
                else
                    Emit(new MInstr { Op = MOp.Atomic, Atomic = plain, Dst = b, Off = off, Src = ValueReg(a.Operand), Size = size });
                return;
            }
        }
    }
}
