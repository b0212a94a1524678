namespace Ebpf.Compiler.IR;

/// <summary>One function in SSA form: parameters, stack slots and basic blocks (the first is the entry).</summary>
public sealed class IrFunction
{
    readonly List<Parameter> _parameters = new();
    readonly List<BasicBlock> _blocks = new();
    readonly List<StackSlot> _slots = new();
    int _nextBlockId;
    int _nextSlotId;

    public IrFunction(string name, IrType returnType, bool isEntryProgram)
    {
        Name = name;
        ReturnType = returnType;
        IsEntryProgram = isEntryProgram;
    }

    public string Name { get; }
    public IrType ReturnType { get; }
    /// <summary>An entry program receives only the context in R1; a sub-program receives up to five arguments.</summary>
    public bool IsEntryProgram { get; }
    /// <summary>Marked <c>AggressiveInlining</c>: the inliner inlines it whatever its size.</summary>
    public bool AlwaysInline { get; init; }
    /// <summary>The method declaration, for the line info of code not tied to a statement.</summary>
    public SourceLocation? Location { get; set; }

    public IReadOnlyList<Parameter> Parameters => _parameters;
    public IReadOnlyList<BasicBlock> Blocks => _blocks;
    public IReadOnlyList<StackSlot> Slots => _slots;
    public BasicBlock Entry => _blocks[0];

    public IEnumerable<Instruction> Instructions => _blocks.SelectMany(b => b.Instructions);

    public Parameter AddParameter(string name, IrType type)
    {
        var p = new Parameter(_parameters.Count, name, type);
        _parameters.Add(p);
        return p;
    }

    public BasicBlock AddBlock(string? hint = null)
    {
        var block = new BasicBlock(this, _nextBlockId++, hint);
        _blocks.Add(block);
        return block;
    }

    /// <summary>Creates a block placed right after <paramref name="after"/> in layout order.</summary>
    public BasicBlock AddBlockAfter(BasicBlock after, string? hint = null)
    {
        var block = new BasicBlock(this, _nextBlockId++, hint);
        _blocks.Insert(_blocks.IndexOf(after) + 1, block);
        return block;
    }

    /// <summary>Deletes an unreachable block: its instructions are erased and its edges removed
    /// (phis of its successors forget it).</summary>
    public void RemoveBlock(BasicBlock block)
    {
        foreach (var succ in block.Successors.Distinct().ToList())
            foreach (var phi in succ.Phis.ToList()) phi.RemoveIncoming(block);
        foreach (var inst in block.Instructions.Reverse().ToList())
        {
            block.Remove(inst);
            inst.DropOperands();
        }
        _blocks.Remove(block);
    }

    /// <summary>Puts the blocks in the given order (every block exactly once; the entry first).</summary>
    public void ReorderBlocks(IReadOnlyList<BasicBlock> order)
    {
        if (order.Count != _blocks.Count || order[0] != Entry) throw new ArgumentException("the order must keep every block and the entry first");
        _blocks.Clear();
        _blocks.AddRange(order);
    }

    public StackSlot AddSlot(string name, int size, int alignment)
    {
        string unique = _slots.Any(s => s.Name == name) ? $"{name}.{_nextSlotId}" : name;
        var slot = new StackSlot(_nextSlotId++, unique, size, alignment);
        _slots.Add(slot);
        return slot;
    }

    public void RemoveSlot(StackSlot slot) => _slots.Remove(slot);

    public override string ToString() => Name;
}
