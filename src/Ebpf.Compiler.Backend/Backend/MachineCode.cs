using Ebpf.Asm;
using Ebpf.Compiler.IR;
using Ebpf.Object;

namespace Ebpf.Compiler.Backend;

/// <summary>A machine register operand: physical R0-R10 (ids 0-10) or virtual (ids from
/// <see cref="FirstVirtual"/>). Register allocation maps virtual registers to R0-R9.</summary>
public readonly record struct Reg(int Id)
{
    public const int FirstVirtual = 16;
    public static readonly Reg None = new(-1);
    public static readonly Reg R0 = new(0);
    public static readonly Reg R10 = new(10);
    public static Reg Physical(int n) => new(n);
    public static Reg Arg(int index) => new(1 + index);

    public bool IsVirtual => Id >= FirstVirtual;
    public bool IsPhysical => Id is >= 0 and <= 10;
    public bool IsValid => Id >= 0;
    public Register ToRegister() => IsPhysical ? (Register)Id : throw new InvalidOperationException($"{this} is not a physical register");
    public override string ToString() => IsVirtual ? "%" + (Id - FirstVirtual) : IsPhysical ? "r" + Id : "<none>";
}

/// <summary>Kinds of machine instructions: the BPF forms, plus <see cref="FrameAddress"/> (a
/// rematerializable <c>dst = r10 + off</c> expanded into two instructions at emission).</summary>
public enum MOp
{
    /// <summary><c>dst op= src|imm</c> (any ALU operation but mov, neg and end).</summary>
    Alu,
    /// <summary><c>dst = src|imm</c>.</summary>
    Mov,
    Neg,
    /// <summary><c>dst = be{Imm} dst</c>.</summary>
    ByteSwap,
    /// <summary><c>dst = imm64</c>, possibly a map or global address with a relocation.</summary>
    LoadImm64,
    FrameAddress,
    /// <summary><c>dst = *(size *)(src + off)</c>.</summary>
    Load,
    /// <summary><c>*(size *)(dst + off) = src</c>.</summary>
    Store,
    /// <summary><c>*(size *)(dst + off) = imm</c>.</summary>
    StoreImm,
    /// <summary>Atomic operation on <c>*(size *)(dst + off)</c> with <c>src</c>; fetch forms write the old value to src (cmpxchg to r0).</summary>
    Atomic,
    /// <summary>Helper or BPF-to-BPF call: reads R1..R{ArgCount}, writes R0 and clobbers R1-R5.</summary>
    Call,
    /// <summary>Returns R0.</summary>
    Exit,
    /// <summary><c>if dst cond src|imm goto Target</c>.</summary>
    CondJump,
    /// <summary><c>goto Target</c>.</summary>
    Jump,
}

/// <summary>One machine instruction over (virtual or physical) registers.</summary>
public sealed class MInstr
{
    public MOp Op { get; init; }
    public AluOp Alu { get; init; }
    public JumpOp Cond { get; set; }
    /// <summary>32-bit form (ALU or JMP32, <c>w</c> registers).</summary>
    public bool Is32 { get; init; }
    public MemSize Size { get; init; }
    public AtomicOp Atomic { get; init; }
    public Reg Dst { get; set; } = Reg.None;
    /// <summary>The source register, or <see cref="Reg.None"/> when <see cref="Imm"/> is the operand.</summary>
    public Reg Src { get; set; } = Reg.None;
    public long Imm { get; init; }
    public short Off { get; set; }
    public MBlock? Target { get; set; }
    public int ArgCount { get; init; }
    public bool IsLocalCall { get; init; }
    /// <summary>A call of a kernel function (kfunc) named by <see cref="Symbol"/>; clobbers what a helper call does.</summary>
    public bool IsKfuncCall { get; init; }
    public PseudoSource Pseudo { get; init; }
    /// <summary>Map name, data section name or callee symbol of a relocated instruction.</summary>
    public string? Symbol { get; init; }
    public RelocationKind? Relocation { get; init; }
    /// <summary>The CO-RE relocation of an immediate the loader patches (a <c>mov</c> of a field offset, size, existence...).</summary>
    public IR.CoreRelocationRequest? Core { get; init; }
    /// <summary>A plain register copy the allocator may coalesce (a 32-bit mov that truncates is not).</summary>
    public bool IsCopy { get; init; }
    public SourceLocation? Location { get; set; }

    public bool HasSrcReg => Src.IsValid;
    public bool IsTerminator => Op is MOp.Exit or MOp.Jump or MOp.CondJump;
    public bool IsFetchAtomic => Op == MOp.Atomic && ((int)Atomic & 1) != 0;

    /// <summary>Registers written.</summary>
    public IEnumerable<Reg> Defs()
    {
        switch (Op)
        {
            case MOp.Alu or MOp.Mov or MOp.Neg or MOp.ByteSwap or MOp.LoadImm64 or MOp.FrameAddress or MOp.Load:
                yield return Dst;
                break;
            case MOp.Atomic when Atomic == AtomicOp.CmpXchg:
                yield return Reg.R0;
                break;
            case MOp.Atomic when IsFetchAtomic:
                yield return Src;
                break;
            case MOp.Call:
                for (int r = 0; r <= 5; r++) yield return Reg.Physical(r);
                break;
        }
    }

    /// <summary>Registers read (R10 included where it is the base).</summary>
    public IEnumerable<Reg> Uses()
    {
        switch (Op)
        {
            case MOp.Alu:
                yield return Dst;
                if (HasSrcReg) yield return Src;
                break;
            case MOp.Mov when HasSrcReg:
            case MOp.Load:
                yield return Src;
                break;
            case MOp.Neg or MOp.ByteSwap:
                yield return Dst;
                break;
            case MOp.Store:
                yield return Dst;
                yield return Src;
                break;
            case MOp.StoreImm:
                yield return Dst;
                break;
            case MOp.Atomic:
                yield return Dst;
                yield return Src;
                if (Atomic == AtomicOp.CmpXchg) yield return Reg.R0;
                break;
            case MOp.Call:
                for (int i = 0; i < ArgCount; i++) yield return Reg.Arg(i);
                break;
            case MOp.Exit:
                yield return Reg.R0;
                break;
            case MOp.CondJump:
                yield return Dst;
                if (HasSrcReg) yield return Src;
                break;
        }
    }

    /// <summary>Renames registers through <paramref name="map"/> (used by spilling and by the final rewrite).</summary>
    public void Rename(Func<Reg, Reg> map)
    {
        if (Dst.IsValid) Dst = map(Dst);
        if (Src.IsValid) Src = map(Src);
    }

    public MInstr With(Reg dst, Reg src) => new()
    {
        Op = Op, Alu = Alu, Cond = Cond, Is32 = Is32, Size = Size, Atomic = Atomic, Dst = dst, Src = src, Imm = Imm, Off = Off,
        Target = Target, ArgCount = ArgCount, IsLocalCall = IsLocalCall, IsKfuncCall = IsKfuncCall, Pseudo = Pseudo, Symbol = Symbol, Relocation = Relocation, Core = Core,
        IsCopy = IsCopy, Location = Location,
    };

    public override string ToString() => MachinePrinter.Format(this);
}

/// <summary>A machine basic block; ends with an exit, a jump, or a conditional jump followed by a jump.</summary>
public sealed class MBlock(int id)
{
    public int Id { get; } = id;
    public List<MInstr> Instructions { get; } = new();

    public IEnumerable<MBlock> Successors => Instructions.Where(i => i.Op is MOp.Jump or MOp.CondJump).Select(i => i.Target!).Distinct();

    public override string ToString() => "bb" + Id;
}

/// <summary>A function in machine form, with its stack frame.</summary>
public sealed class MachineFunction(string name)
{
    int _nextVirtual = Reg.FirstVirtual;

    public string Name { get; } = name;
    public List<MBlock> Blocks { get; } = new();
    public FrameLayout Frame { get; } = new();
    /// <summary>Where the function starts in the source (line info of code with no statement of its own).</summary>
    public SourceLocation? Location { get; set; }

    public Reg NewVirtual() => new(_nextVirtual++);
    public int VirtualCount => _nextVirtual - Reg.FirstVirtual;
}

/// <summary>The stack frame: stack slots of the IR and spill slots, at negative offsets from R10.
/// Every slot is aligned to its natural size (the verifier rejects misaligned stack accesses). IR slots
/// placed by <see cref="StackSlotColoring"/> share bytes when their lifetimes are disjoint; spill slots
/// come below them.</summary>
public sealed class FrameLayout
{
    readonly Dictionary<StackSlot, int> _slots = new();

    /// <summary>Bytes used below R10.</summary>
    public int Size { get; private set; }

    /// <summary>Bytes taken by spilled registers.</summary>
    public int SpillBytes { get; private set; }

    /// <summary>The IR slots and their offsets.</summary>
    public IReadOnlyDictionary<StackSlot, int> Slots => _slots;

    /// <summary>Places the IR slots at the given offsets (from <see cref="StackSlotColoring.Color"/>).</summary>
    public void Place(IReadOnlyDictionary<StackSlot, int> offsets, int size)
    {
        foreach (var (slot, offset) in offsets) _slots[slot] = offset;
        Size = Math.Max(Size, size);
    }

    /// <summary>The offset from R10 (negative) of an IR stack slot.</summary>
    public int OffsetOf(StackSlot slot)
    {
        if (_slots.TryGetValue(slot, out int off)) return off;
        off = Allocate(slot.Size, Math.Min(8, Math.Max(1, slot.Alignment)));
        _slots[slot] = off;
        return off;
    }

    /// <summary>A new 8-byte slot for a spilled register (8-byte spills keep pointer types for the verifier).</summary>
    public int AllocateSpill()
    {
        SpillBytes += 8;
        return Allocate(8, 8);
    }

    int Allocate(int size, int alignment)
    {
        int end = (Size + size + alignment - 1) / alignment * alignment;
        Size = end;
        return -end;
    }
}
