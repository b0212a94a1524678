namespace Ebpf.Asm;

/// <summary>A reference from an instruction to a symbol the linker or loader resolves:
/// a map, a global data section, or a function (BPF-to-BPF call).</summary>
/// <param name="InstructionIndex">Index into the instruction list (not the slot offset).</param>
/// <param name="Symbol">Name of the referenced symbol (map name, data section name, function name).</param>
public readonly record struct SymbolReference(int InstructionIndex, string Symbol);

/// <summary>Builds an instruction sequence with symbolic jump labels, resolved to slot offsets
/// only by <see cref="Build"/>; symbol references are kept for relocation records.</summary>
public sealed class AsmBuilder
{
    readonly List<Instruction> _insns = new();
    readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    readonly List<(int Index, string Label)> _fixups = new();
    readonly List<SymbolReference> _references = new();

    public int Count => _insns.Count;
    public IReadOnlyList<Instruction> Instructions => _insns;

    /// <summary>Marks the next instruction with <paramref name="label"/>.</summary>
    public AsmBuilder Label(string label)
    {
        if (!_labels.TryAdd(label, _insns.Count)) throw new InvalidOperationException($"label '{label}' defined twice");
        return this;
    }

    public AsmBuilder Emit(Instruction insn) { _insns.Add(insn); return this; }

    /// <summary>Emits a jump whose offset is filled from <paramref name="label"/> at build time.</summary>
    public AsmBuilder EmitJump(Instruction jump, string label)
    {
        if (!jump.IsBranch) throw new ArgumentException($"not a branch: {jump}", nameof(jump));
        _fixups.Add((_insns.Count, label));
        _insns.Add(jump);
        return this;
    }

    /// <summary>Emits an instruction referring to <paramref name="symbol"/> (relocated later).</summary>
    public AsmBuilder EmitReference(Instruction insn, string symbol)
    {
        _references.Add(new SymbolReference(_insns.Count, symbol));
        _insns.Add(insn);
        return this;
    }

    public AssembledCode Build()
    {
        var slotOf = new int[_insns.Count + 1];
        for (int i = 0; i < _insns.Count; i++) slotOf[i + 1] = slotOf[i] + _insns[i].Slots;
        var result = new List<Instruction>(_insns);
        foreach (var (index, label) in _fixups)
        {
            if (!_labels.TryGetValue(label, out int target)) throw new InvalidOperationException($"undefined label '{label}'");
            int rel = slotOf[target] - slotOf[index + 1];
            if (rel is < short.MinValue or > short.MaxValue) throw new InvalidOperationException($"jump to '{label}' out of range ({rel} slots)");
            result[index] = result[index].WithOffset((short)rel);
        }
        return new AssembledCode(result, _references.ToArray());
    }
}

/// <summary>A finished instruction sequence with its unresolved symbol references.</summary>
public sealed record AssembledCode(IReadOnlyList<Instruction> Instructions, IReadOnlyList<SymbolReference> References)
{
    /// <summary>Slot offset of each instruction (length = count + 1; the last entry is the total).</summary>
    public int[] SlotOffsets()
    {
        var slots = new int[Instructions.Count + 1];
        for (int i = 0; i < Instructions.Count; i++) slots[i + 1] = slots[i] + Instructions[i].Slots;
        return slots;
    }
}
