using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>One function placed in a <see cref="LinkedProgram"/>: where it starts, in instructions and in slots.</summary>
public sealed record LinkedFunction(ProgramSpec Spec, int FirstInstruction, int FirstSlot, int SlotCount)
{
    public string Name => Spec.Name;
    public bool Contains(int slot) => slot >= FirstSlot && slot < FirstSlot + SlotCount;
}

/// <summary>A C# source position taken from a line_info record (1-based line and column).</summary>
public sealed record SourceLocation(string FileName, int Line, int Column, string LineText)
{
    /// <summary>The MSBuild/Roslyn diagnostic form: <c>File.cs(12,5)</c>.</summary>
    public override string ToString() => $"{FileName}({Line},{Column})";
}

/// <summary>An entry program with every sub-program it calls appended once (libbpf's order: the entry first, then
/// callees as they are reached), calls fixed up, func_info/line_info rebased to slots of the whole program, and
/// map and global-data references still symbolic (<see cref="Relocations"/>, indexes into <see cref="Instructions"/>).</summary>
public sealed class LinkedProgram
{
    internal LinkedProgram(ProgramSpec entry, List<Instruction> instructions, List<LinkedFunction> functions,
        List<Relocation> relocations, List<BtfFuncInfo> funcInfos, List<BtfLineInfo> lineInfos, List<BtfCoreRelocation> coreRelocations)
    {
        CoreRelocations = coreRelocations;
        Entry = entry;
        Instructions = instructions;
        Functions = functions;
        Relocations = relocations;
        FuncInfos = funcInfos;
        LineInfos = lineInfos;
        SlotOffsets = new int[instructions.Count + 1];
        for (int i = 0; i < instructions.Count; i++) SlotOffsets[i + 1] = SlotOffsets[i] + instructions[i].Slots;
    }

    public ProgramSpec Entry { get; }
    public string Name => Entry.Name;
    public IReadOnlyList<Instruction> Instructions { get; private set; }
    public IReadOnlyList<LinkedFunction> Functions { get; }
    /// <summary>Map and GlobalData references left for the loader (instruction indexes into <see cref="Instructions"/>).</summary>
    public IReadOnlyList<Relocation> Relocations { get; }
    /// <summary>func_info of every function, offsets in slots from the start of the linked program.</summary>
    public IReadOnlyList<BtfFuncInfo> FuncInfos { get; }
    /// <summary>line_info of every function, offsets in slots from the start of the linked program, sorted.</summary>
    public IReadOnlyList<BtfLineInfo> LineInfos { get; }
    /// <summary>CO-RE relocations of every function, offsets in slots from the start of the linked program; empty once
    /// applied in user space (then <see cref="CoreFixups"/> says what was done).</summary>
    public IReadOnlyList<BtfCoreRelocation> CoreRelocations { get; private set; }
    /// <summary>The CO-RE fixups applied in user space (empty when the kernel relocates, or there were none).</summary>
    public IReadOnlyList<Ebpf.Btf.Core.CoreFixup> CoreFixups { get; private set; } = Array.Empty<Ebpf.Btf.Core.CoreFixup>();
    /// <summary>Slot offset of each instruction; the last entry is the slot count.</summary>
    public int[] SlotOffsets { get; private set; }
    public int SlotCount => SlotOffsets[^1];

    internal void ReplaceInstructions(List<Instruction> instructions) => Instructions = instructions;

    /// <summary>The kernel modules whose kfuncs the program calls, in the order of their BTF fds in the load's fd_array
    /// (from index 1: a kfunc call's off names one, 0 being vmlinux).</summary>
    internal List<string> KernelModules { get; } = new();

    /// <summary>Takes the CO-RE-patched instructions (a poisoned ld_imm64 becomes two instructions of one slot each, so
    /// slot offsets are recomputed) and drops the relocations so the kernel is not asked to apply them again.</summary>
    internal void ApplyCoreFixups(List<Instruction> instructions, IReadOnlyList<Ebpf.Btf.Core.CoreFixup> fixups)
    {
        Instructions = instructions;
        SlotOffsets = new int[instructions.Count + 1];
        for (int i = 0; i < instructions.Count; i++) SlotOffsets[i + 1] = SlotOffsets[i] + instructions[i].Slots;
        CoreFixups = fixups;
        CoreRelocations = Array.Empty<BtfCoreRelocation>();
    }

    /// <summary>The function containing <paramref name="slot"/>, or null when out of range.</summary>
    public LinkedFunction? FunctionAt(int slot) => Functions.FirstOrDefault(f => f.Contains(slot));

    /// <summary>The source of the instruction at <paramref name="slot"/>: the line_info with the greatest offset
    /// at or before it, within the same function. Null without line info.</summary>
    public SourceLocation? SourceAt(int slot)
    {
        var function = FunctionAt(slot);
        BtfLineInfo? best = null;
        foreach (var line in LineInfos)
        {
            if (line.InstructionOffset > slot) break;
            if (function is null || function.Contains(line.InstructionOffset)) best = line;
        }
        return best is null ? null : new SourceLocation(best.FileName, best.Line, best.Column, best.LineText);
    }

    /// <summary>The instruction that starts at <paramref name="slot"/>, or null (e.g. the second slot of an ld_imm64).</summary>
    public Instruction? InstructionAtSlot(int slot)
    {
        int index = Array.BinarySearch(SlotOffsets, slot);
        return index >= 0 && index < Instructions.Count ? Instructions[index] : null;
    }
}
