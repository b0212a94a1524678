namespace Ebpf.Compiler.IR;

/// <summary>A basic block: phis first, then ordinary instructions, then exactly one terminator
/// (once complete). Predecessor lists follow the terminators automatically.</summary>
public sealed class BasicBlock
{
    readonly List<Instruction> _instructions = new();
    readonly List<BasicBlock> _predecessors = new();

    internal BasicBlock(IrFunction function, int id, string? hint)
    {
        Function = function;
        Id = id;
        Hint = hint;
    }

    public IrFunction Function { get; }
    /// <summary>Unique within the function; printers renumber by position.</summary>
    public int Id { get; }
    /// <summary>What the block is for (<c>then</c>, <c>loop</c>...), shown in dumps.</summary>
    public string? Hint { get; }

    public IReadOnlyList<Instruction> Instructions => _instructions;
    public IReadOnlyList<BasicBlock> Predecessors => _predecessors;
    public Terminator? Terminator => _instructions.Count > 0 ? _instructions[^1] as Terminator : null;
    public IReadOnlyList<BasicBlock> Successors => Terminator?.Successors ?? Array.Empty<BasicBlock>();
    public IEnumerable<PhiInstruction> Phis => _instructions.TakeWhile(i => i is PhiInstruction).Cast<PhiInstruction>();

    public T Append<T>(T instruction) where T : Instruction
    {
        if (Terminator is not null) throw new InvalidOperationException($"{this} is already terminated");
        Attach(instruction, _instructions.Count);
        return instruction;
    }

    /// <summary>Inserts before the terminator (or at the end of an unterminated block).</summary>
    public T InsertBeforeTerminator<T>(T instruction) where T : Instruction
    {
        Attach(instruction, Terminator is null ? _instructions.Count : _instructions.Count - 1);
        return instruction;
    }

    public T InsertBefore<T>(T instruction, Instruction position) where T : Instruction
    {
        int index = _instructions.IndexOf(position);
        if (index < 0) throw new InvalidOperationException("position is not in this block");
        Attach(instruction, index);
        return instruction;
    }

    public T InsertAfter<T>(T instruction, Instruction position) where T : Instruction
    {
        int index = _instructions.IndexOf(position);
        if (index < 0) throw new InvalidOperationException("position is not in this block");
        Attach(instruction, index + 1);
        return instruction;
    }

    public PhiInstruction InsertPhi(PhiInstruction phi)
    {
        Attach(phi, Phis.Count());
        return phi;
    }

    void Attach(Instruction instruction, int index)
    {
        if (instruction.Block is not null) throw new InvalidOperationException("instruction is already in a block");
        _instructions.Insert(index, instruction);
        instruction.Block = this;
        if (instruction is Terminator t) LinkSuccessors(t);
    }

    /// <summary>Takes the instruction out of this block (operands untouched).</summary>
    internal void Remove(Instruction instruction)
    {
        if (instruction is Terminator t) UnlinkSuccessors(t);
        _instructions.Remove(instruction);
        instruction.Block = null;
    }

    /// <summary>Moves <paramref name="instruction"/> (in any block) to the end of this block's body.</summary>
    public void MoveHere(Instruction instruction)
    {
        instruction.Block?.Remove(instruction);
        InsertBeforeTerminator(instruction);
    }

    /// <summary>Replaces the terminator, erasing the old one.</summary>
    public void SetTerminator(Terminator terminator)
    {
        var old = Terminator;
        if (old is not null)
        {
            Remove(old);
            old.DropOperands();
        }
        Append(terminator);
    }

    internal void LinkSuccessors(Terminator t)
    {
        foreach (var s in t.Successors.Distinct())
            if (!s._predecessors.Contains(this)) s._predecessors.Add(this);
    }

    internal void UnlinkSuccessors(Terminator t)
    {
        foreach (var s in t.Successors.Distinct()) s._predecessors.Remove(this);
    }

    /// <summary>Moves the instructions from <paramref name="start"/> to the end into <paramref name="target"/> (used to split a block).</summary>
    public void MoveTailTo(Instruction start, BasicBlock target)
    {
        int index = _instructions.IndexOf(start);
        var tail = _instructions.Skip(index).ToList();
        foreach (var i in tail) Remove(i);
        foreach (var i in tail) target.Attach(i, target._instructions.Count);
    }

    public override string ToString() => "bb" + Id;
}

/// <summary>A stack variable (a C# local, a temporary for an <c>in</c> argument, a struct copy).
/// The backend assigns its frame offset; promotion to registers removes it when it can.</summary>
public sealed class StackSlot
{
    internal StackSlot(int id, string name, int size, int alignment)
    {
        Id = id;
        Name = name;
        Size = size;
        Alignment = alignment;
    }

    public int Id { get; }
    public string Name { get; }
    public int Size { get; }
    public int Alignment { get; }
    public override string ToString() => "$" + Name;
}
