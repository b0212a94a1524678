
namespace Ebpf.Compiler.IR;

/// <summary>Two-operand integer arithmetic on i32 or i64 (C# promotes narrower operands to int first).</summary>
public enum BinaryOp { Add, Sub, Mul, UDiv, SDiv, URem, SRem, And, Or, Xor, Shl, LShr, AShr }

/// <summary>Integer comparison predicates; signedness is part of the predicate.</summary>
public enum Predicate { Eq, Ne, ULt, ULe, UGt, UGe, SLt, SLe, SGt, SGe }

/// <summary>Width and kind changes between integer and pointer values.</summary>
public enum ConversionKind { ZeroExtend, SignExtend, Truncate, PointerToInt, IntToPointer, PointerCast }

/// <summary>Read-modify-write operations of BPF_ATOMIC.</summary>
public enum AtomicOperation { Add, And, Or, Xor, Exchange, CompareExchange }

public static class PredicateFacts
{
    public static Predicate Inverse(this Predicate p) => p switch
    {
        Predicate.Eq => Predicate.Ne, Predicate.Ne => Predicate.Eq,
        Predicate.ULt => Predicate.UGe, Predicate.UGe => Predicate.ULt,
        Predicate.ULe => Predicate.UGt, Predicate.UGt => Predicate.ULe,
        Predicate.SLt => Predicate.SGe, Predicate.SGe => Predicate.SLt,
        Predicate.SLe => Predicate.SGt, Predicate.SGt => Predicate.SLe,
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>The predicate with its operands exchanged (<c>a &lt; b</c> is <c>b &gt; a</c>).</summary>
    public static Predicate Swapped(this Predicate p) => p switch
    {
        Predicate.ULt => Predicate.UGt, Predicate.UGt => Predicate.ULt,
        Predicate.ULe => Predicate.UGe, Predicate.UGe => Predicate.ULe,
        Predicate.SLt => Predicate.SGt, Predicate.SGt => Predicate.SLt,
        Predicate.SLe => Predicate.SGe, Predicate.SGe => Predicate.SLe,
        _ => p,
    };

    public static bool IsSigned(this Predicate p) => p is Predicate.SLt or Predicate.SLe or Predicate.SGt or Predicate.SGe;
}

// ---- arithmetic -------------------------------------------------------------------------------

public sealed class BinaryInstruction : Instruction
{
    public BinaryInstruction(BinaryOp op, Value left, Value right) : base(left.Type)
    {
        Op = op;
        SetOperands(left, right);
    }

    public BinaryOp Op { get; }
    public Value Left => Operands[0];
    public Value Right => Operands[1];
    public override string Mnemonic => Op.ToString().ToLowerInvariant();
    public bool IsCommutative => Op is BinaryOp.Add or BinaryOp.Mul or BinaryOp.And or BinaryOp.Or or BinaryOp.Xor;

    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new BinaryInstruction(Op, map(Left), map(Right)) { Location = Location };
}

/// <summary>Two's complement negation (BPF_NEG).</summary>
public sealed class NegateInstruction : Instruction
{
    public NegateInstruction(Value operand) : base(operand.Type) => SetOperands(operand);
    public Value Operand => Operands[0];
    public override string Mnemonic => "neg";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new NegateInstruction(map(Operand)) { Location = Location };
}

/// <summary>Reverses the byte order of the low <see cref="Bits"/> bits and zero-extends (BPF_END TO_BE on little-endian).</summary>
public sealed class ByteSwapInstruction : Instruction
{
    public ByteSwapInstruction(Value operand, int bits) : base(operand.Type)
    {
        Bits = bits;
        SetOperands(operand);
    }

    public int Bits { get; }
    public Value Operand => Operands[0];
    public override string Mnemonic => "bswap" + Bits;
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new ByteSwapInstruction(map(Operand), Bits) { Location = Location };
}

/// <summary>Compares two integers or two pointers; the result is an i1.</summary>
public sealed class CompareInstruction : Instruction
{
    public CompareInstruction(Predicate predicate, Value left, Value right) : base(IrType.I1)
    {
        Predicate = predicate;
        SetOperands(left, right);
    }

    public Predicate Predicate { get; }
    public Value Left => Operands[0];
    public Value Right => Operands[1];
    public override string Mnemonic => "cmp " + Predicate.ToString().ToLowerInvariant();
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new CompareInstruction(Predicate, map(Left), map(Right)) { Location = Location };
}

public sealed class ConvertInstruction : Instruction
{
    public ConvertInstruction(ConversionKind kind, Value operand, IrType to) : base(to)
    {
        Kind = kind;
        SetOperands(operand);
    }

    public ConversionKind Kind { get; }
    public Value Operand => Operands[0];
    public override string Mnemonic => Kind switch
    {
        ConversionKind.ZeroExtend => "zext",
        ConversionKind.SignExtend => "sext",
        ConversionKind.Truncate => "trunc",
        ConversionKind.PointerToInt => "ptrtoint",
        ConversionKind.IntToPointer => "inttoptr",
        _ => "ptrcast",
    };
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new ConvertInstruction(Kind, map(Operand), Type) { Location = Location };
}

/// <summary>A plain copy of a value; copy propagation removes it.</summary>
public sealed class CopyInstruction : Instruction
{
    public CopyInstruction(Value source) : base(source.Type) => SetOperands(source);
    public Value Source => Operands[0];
    public override string Mnemonic => "copy";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new CopyInstruction(map(Source)) { Location = Location };
}

// ---- addresses --------------------------------------------------------------------------------

/// <summary><c>pointer + offset</c> (offset an i64 scalar). The verifier accepts it for stack, map
/// value and packet pointers; on the context it is only accepted folded into a load's offset.</summary>
public sealed class PointerAddInstruction : Instruction
{
    public PointerAddInstruction(Value pointer, Value offset) : base(pointer.Type) => SetOperands(pointer, offset);
    public Value Pointer => Operands[0];
    public Value Offset => Operands[1];
    public override string Mnemonic => "ptradd";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new PointerAddInstruction(map(Pointer), map(Offset)) { Location = Location };
}

/// <summary>The address of a stack slot (R10 minus the slot's frame offset).</summary>
public sealed class FrameAddressInstruction : Instruction
{
    public FrameAddressInstruction(StackSlot slot) : base(IrType.Pointer(PointerKind.Stack)) => Slot = slot;
    public StackSlot Slot { get; }
    public override string Mnemonic => "frameaddr";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new FrameAddressInstruction(mapSlot(Slot)) { Location = Location };
}

/// <summary>The address of a global variable: <c>ld_imm64 src=BPF_PSEUDO_MAP_VALUE</c> with a
/// GlobalData relocation against <see cref="Section"/>, the constant holding <see cref="Offset"/>.</summary>
public sealed class GlobalAddressInstruction : Instruction
{
    public GlobalAddressInstruction(string section, int offset, string variable) : base(IrType.Pointer(PointerKind.MapValue))
    {
        Section = section;
        Offset = offset;
        Variable = variable;
    }

    public string Section { get; }
    public int Offset { get; }
    /// <summary>The C# field name, for dumps only.</summary>
    public string Variable { get; }
    public override string Mnemonic => "globaladdr";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new GlobalAddressInstruction(Section, Offset, Variable) { Location = Location };
}

/// <summary>The address of a kernel variable (a typed ksym): <c>ld_imm64</c> with a Ksym relocation naming it, which the
/// loader turns into BPF_PSEUDO_BTF_ID with the variable's kernel BTF id.</summary>
public sealed class KernelVariableAddressInstruction : Instruction
{
    public KernelVariableAddressInstruction(string name) : base(IrType.Pointer(PointerKind.Kernel)) => Name = name;
    /// <summary>The kernel's name of the variable.</summary>
    public string Name { get; }
    public override string Mnemonic => "ksym";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new KernelVariableAddressInstruction(Name) { Location = Location };
}

/// <summary>A map reference: <c>ld_imm64 src=BPF_PSEUDO_MAP_FD</c> with a Map relocation.</summary>
public sealed class MapHandleInstruction : Instruction
{
    public MapHandleInstruction(string mapName) : base(IrType.Pointer(PointerKind.MapHandle)) => MapName = mapName;
    public string MapName { get; }
    public override string Mnemonic => "map";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new MapHandleInstruction(MapName) { Location = Location };
}

/// <summary>The address of a function of the object, for a helper that calls it back (<c>bpf_loop</c>,
/// <c>bpf_for_each_map_elem</c>): <c>ld_imm64 src=BPF_PSEUDO_FUNC</c> with a Call relocation naming it.</summary>
public sealed class FunctionAddressInstruction : Instruction
{
    public FunctionAddressInstruction(string callee, string symbol) : base(IrType.Pointer(PointerKind.Unknown))
    {
        Callee = callee;
        Symbol = symbol;
    }
    /// <summary>The function's id (the frontend's name for it; its IR is looked up by this id).</summary>
    public string Callee { get; }
    public string Symbol { get; }
    public override string Mnemonic => "funcaddr";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new FunctionAddressInstruction(Callee, Symbol) { Location = Location };
}

// ---- memory -----------------------------------------------------------------------------------

/// <summary>Loads <see cref="Size"/> bytes at <c>address + offset</c>, zero-extended to <see cref="Value.Type"/>.
/// A 4-byte load of a pointer type is a context field the verifier turns into a pointer (xdp_md.data).</summary>
public sealed class LoadInstruction : Instruction
{
    public LoadInstruction(Value address, int offset, IrType type, int size) : base(type)
    {
        Offset = offset;
        Size = size;
        SetOperands(address);
    }

    public Value Address => Operands[0];
    public int Offset { get; set; }
    public int Size { get; }
    /// <summary>A read that must happen each time (<c>Volatile.Read</c>): never merged with another.</summary>
    public bool IsVolatile { get; init; }
    public override bool ReadsMemory => true;
    public override string Mnemonic => IsVolatile ? "load volatile" : "load";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new LoadInstruction(map(Address), Offset, Type, Size) { Location = Location, IsVolatile = IsVolatile };
}

/// <summary>Stores the low <see cref="Size"/> bytes of a value at <c>address + offset</c>.</summary>
public sealed class StoreInstruction : Instruction
{
    public StoreInstruction(Value address, int offset, Value value, int size) : base(IrType.Void)
    {
        Offset = offset;
        Size = size;
        SetOperands(address, value);
    }

    public Value Address => Operands[0];
    public Value StoredValue => Operands[1];
    public int Offset { get; set; }
    public int Size { get; }
    public override bool HasSideEffects => true;
    public override bool WritesMemory => true;
    public override string Mnemonic => "store";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new StoreInstruction(map(Address), Offset, map(StoredValue), Size) { Location = Location };
}

/// <summary>An atomic read-modify-write of 4 or 8 bytes at <c>address + offset</c>; the result is the
/// old value. Instruction selection uses the non-fetch form when the result is unused.</summary>
public sealed class AtomicInstruction : Instruction
{
    public AtomicInstruction(AtomicOperation op, Value address, int offset, Value operand, Value? expected, int size) : base(operand.Type)
    {
        Op = op;
        Offset = offset;
        Size = size;
        if (expected is null) SetOperands(address, operand);
        else SetOperands(address, operand, expected);
    }

    public AtomicOperation Op { get; }
    public int Offset { get; set; }
    public int Size { get; }
    public Value Address => Operands[0];
    public Value Operand => Operands[1];
    /// <summary>The comparand of CompareExchange (goes in R0).</summary>
    public Value? Expected => Operands.Count > 2 ? Operands[2] : null;
    public override bool HasSideEffects => true;
    public override bool ReadsMemory => true;
    public override bool WritesMemory => true;
    public override string Mnemonic => "atomic " + Op.ToString().ToLowerInvariant();
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new AtomicInstruction(Op, map(Address), Offset, map(Operand), Expected is null ? null : map(Expected), Size) { Location = Location };
}

// ---- calls ------------------------------------------------------------------------------------

/// <summary>A kernel helper call (<c>call id</c>): arguments in R1-R5, result in R0, R1-R5 clobbered.</summary>
public sealed class HelperCallInstruction : Instruction
{
    public HelperCallInstruction(int helperId, string name, IrType returnType, IReadOnlyList<Value> arguments, uint readOnlyPointerArguments = 0)
        : base(returnType)
    {
        HelperId = helperId;
        Name = name;
        ReadOnlyPointerArguments = readOnlyPointerArguments;
        SetOperands(arguments.ToArray());
    }

    public int HelperId { get; }
    public string Name { get; }
    /// <summary>A kernel function (kfunc) called by BTF id instead of a helper (<see cref="HelperId"/> is then 0).</summary>
    public string? Kfunc { get; init; }
    /// <summary>Bit i set: the helper only reads the memory argument i points to (map keys, update values),
    /// so a stack variable passed there keeps its value in registers too.</summary>
    public uint ReadOnlyPointerArguments { get; }
    public bool IsReadOnlyArgument(int index) => (ReadOnlyPointerArguments & (1u << index)) != 0;
    public override bool HasSideEffects => true;
    public override bool ReadsMemory => true;
    public override bool WritesMemory => true;
    public override string Mnemonic => "call helper";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new HelperCallInstruction(HelperId, Name, Type, Operands.Select(map).ToArray(), ReadOnlyPointerArguments) { Location = Location, Kfunc = Kfunc };
}

/// <summary>A call of a C# method of the object: inlined by the inliner or emitted as a BPF-to-BPF call.</summary>
public sealed class FunctionCallInstruction : Instruction
{
    public FunctionCallInstruction(string callee, string symbol, IrType returnType, IReadOnlyList<Value> arguments, bool mustNotInline)
        : base(returnType)
    {
        Callee = callee;
        Symbol = symbol;
        MustNotInline = mustNotInline;
        SetOperands(arguments.ToArray());
    }

    /// <summary>The callee's id (the frontend's name for it; its IR is looked up by this id).</summary>
    public string Callee { get; }
    /// <summary>The callee's symbol name (the Call relocation's target).</summary>
    public string Symbol { get; }
    /// <summary>Marked <c>[MethodImpl(MethodImplOptions.NoInlining)]</c>: stays a BPF-to-BPF call.</summary>
    public bool MustNotInline { get; }
    public override bool HasSideEffects => true;
    public override bool ReadsMemory => true;
    public override bool WritesMemory => true;
    public override string Mnemonic => "call";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new FunctionCallInstruction(Callee, Symbol, Type, Operands.Select(map).ToArray(), MustNotInline) { Location = Location };
}

// ---- SSA and control flow ---------------------------------------------------------------------

/// <summary>An SSA phi: the value of <see cref="IncomingBlocks"/>[i]'s edge is <see cref="Value"/> operand i.</summary>
public sealed class PhiInstruction : Instruction
{
    readonly List<BasicBlock> _blocks = new();

    public PhiInstruction(IrType type) : base(type) { }

    public IReadOnlyList<BasicBlock> IncomingBlocks => _blocks;

    public void AddIncoming(BasicBlock block, Value value)
    {
        if (_blocks.Contains(block)) throw new InvalidOperationException($"phi already has an incoming value for {block}");
        _blocks.Add(block);
        AppendOperand(value);
    }

    public Value? IncomingFor(BasicBlock block)
    {
        int i = _blocks.IndexOf(block);
        return i < 0 ? null : Operands[i];
    }

    public void SetIncoming(BasicBlock block, Value value) => SetOperand(_blocks.IndexOf(block), value);

    public void RemoveIncoming(BasicBlock block)
    {
        int i = _blocks.IndexOf(block);
        if (i < 0) return;
        _blocks.RemoveAt(i);
        RemoveOperandAt(i);
    }

    /// <summary>Renames an incoming edge's block (the edge now comes from <paramref name="replacement"/>).</summary>
    public void ReplaceIncomingBlock(BasicBlock old, BasicBlock replacement)
    {
        int i = _blocks.IndexOf(old);
        if (i >= 0) _blocks[i] = replacement;
    }

    public override string Mnemonic => "phi";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
    {
        var phi = new PhiInstruction(Type) { Location = Location };
        for (int i = 0; i < _blocks.Count; i++) phi.AddIncoming(mapBlock(_blocks[i]), map(Operands[i]));
        return phi;
    }
}

public sealed class JumpInstruction : Terminator
{
    public JumpInstruction(BasicBlock target) : base(target) { }
    public BasicBlock Target => Successors[0];
    public override string Mnemonic => "jmp";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new JumpInstruction(mapBlock(Target)) { Location = Location };
}

/// <summary>Goes to <see cref="IfTrue"/> when the i1 condition is true, else to <see cref="IfFalse"/>.</summary>
public sealed class BranchInstruction : Terminator
{
    public BranchInstruction(Value condition, BasicBlock ifTrue, BasicBlock ifFalse) : base(ifTrue, ifFalse) => SetOperands(condition);
    public Value Condition => Operands[0];
    public BasicBlock IfTrue => Successors[0];
    public BasicBlock IfFalse => Successors[1];
    public override string Mnemonic => "br";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new BranchInstruction(map(Condition), mapBlock(IfTrue), mapBlock(IfFalse)) { Location = Location };
}

public sealed class ReturnInstruction : Terminator
{
    public ReturnInstruction(Value? value)
    {
        if (value is not null) SetOperands(value);
    }

    public Value? ReturnValue => Operands.Count > 0 ? Operands[0] : null;
    public override string Mnemonic => "ret";
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new ReturnInstruction(ReturnValue is null ? null : map(ReturnValue)) { Location = Location };
}
