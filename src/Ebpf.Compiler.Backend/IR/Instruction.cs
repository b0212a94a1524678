namespace Ebpf.Compiler.IR;

/// <summary>An IR instruction: a value computed from operand values, placed in a basic block.</summary>
/// <remarks>Operands are kept in one array so passes can walk and rewrite them generically; each
/// subclass names its operands with properties. Use-lists are updated by every operand change.</remarks>
public abstract class Instruction : Value
{
    Value[] _operands = Array.Empty<Value>();

    protected Instruction(IrType type) : base(type) { }

    public BasicBlock? Block { get; internal set; }

    /// <summary>The C# source this instruction was generated from (for line info).</summary>
    public SourceLocation? Location { get; set; }

    public IReadOnlyList<Value> Operands => _operands;

    /// <summary>Short lower-case name used by the printer (<c>add</c>, <c>load</c>, <c>br</c>...).</summary>
    public abstract string Mnemonic { get; }

    /// <summary>True when removing the instruction (its result unused) would change behaviour:
    /// stores, calls, atomics and terminators.</summary>
    public virtual bool HasSideEffects => false;

    /// <summary>True when the result depends on memory that other instructions may change (loads, calls).</summary>
    public virtual bool ReadsMemory => false;

    /// <summary>True when the instruction may change memory (stores, calls, atomics).</summary>
    public virtual bool WritesMemory => false;

    protected void SetOperands(params Value[] operands)
    {
        foreach (var old in _operands) old.RemoveUser(this);
        _operands = operands;
        foreach (var op in _operands) op.AddUser(this);
    }

    protected void AppendOperand(Value value)
    {
        Array.Resize(ref _operands, _operands.Length + 1);
        _operands[^1] = value;
        value.AddUser(this);
    }

    protected void RemoveOperandAt(int index)
    {
        _operands[index].RemoveUser(this);
        var list = _operands.ToList();
        list.RemoveAt(index);
        _operands = list.ToArray();
    }

    public void SetOperand(int index, Value value)
    {
        var old = _operands[index];
        if (ReferenceEquals(old, value)) return;
        old.RemoveUser(this);
        _operands[index] = value;
        value.AddUser(this);
    }

    /// <summary>Replaces every occurrence of <paramref name="old"/> among the operands.</summary>
    public void ReplaceOperand(Value old, Value replacement)
    {
        for (int i = 0; i < _operands.Length; i++)
            if (ReferenceEquals(_operands[i], old)) SetOperand(i, replacement);
    }

    /// <summary>Drops all operands (their use-lists forget this instruction). Used when deleting.</summary>
    internal void DropOperands()
    {
        foreach (var op in _operands) op.RemoveUser(this);
        _operands = Array.Empty<Value>();
    }

    /// <summary>Removes the instruction from its block and forgets its operands; its result must be unused.</summary>
    public void Erase()
    {
        if (HasUsers) throw new InvalidOperationException($"cannot erase '{Mnemonic}': its result is still used");
        Block?.Remove(this);
        DropOperands();
    }

    /// <summary>A copy with operands mapped through <paramref name="map"/> (the inliner's cloning).</summary>
    public abstract Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot);
}

/// <summary>The last instruction of a block: transfers control to successors or leaves the function.</summary>
public abstract class Terminator : Instruction
{
    BasicBlock[] _successors;

    protected Terminator(params BasicBlock[] successors) : base(IrType.Void) => _successors = successors;

    public IReadOnlyList<BasicBlock> Successors => _successors;

    public override bool HasSideEffects => true;

    /// <summary>Redirects every edge to <paramref name="old"/> towards <paramref name="replacement"/>,
    /// keeping predecessor lists right. Phis of the old and new targets are the caller's business.</summary>
    public void ReplaceSuccessor(BasicBlock old, BasicBlock replacement)
    {
        var block = Block;
        block?.UnlinkSuccessors(this);
        for (int i = 0; i < _successors.Length; i++)
            if (_successors[i] == old) _successors[i] = replacement;
        block?.LinkSuccessors(this);
    }
}
