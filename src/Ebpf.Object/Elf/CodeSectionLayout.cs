using Ebpf.Asm;

namespace Ebpf.Object.Elf;

/// <summary>A function placed in its code section: where it starts (in slots) and the slot of each of its instructions.</summary>
internal sealed class PlacedFunction(ProgramSpec program, int slotOffset)
{
    public ProgramSpec Program { get; } = program;
    public int SlotOffset { get; } = slotOffset;
    /// <summary>Slot of each instruction relative to the function start; the last entry is the function's length.</summary>
    public int[] Slots { get; } = SlotsOf(program.Instructions);
    public int SlotCount => Slots[^1];

    static int[] SlotsOf(IReadOnlyList<Instruction> insns)
    {
        var slots = new int[insns.Count + 1];
        for (int i = 0; i < insns.Count; i++) slots[i + 1] = slots[i] + insns[i].Slots;
        return slots;
    }
}

/// <summary>One executable section and the functions it holds, back to back.</summary>
internal sealed class CodeSection(string name)
{
    public string Name { get; } = name;
    public List<PlacedFunction> Functions { get; } = new();
    public int SlotCount => Functions.Count == 0 ? 0 : Functions[^1].SlotOffset + Functions[^1].SlotCount;
}

/// <summary>Groups programs into code sections the way clang does: <c>.text</c> (sub-programs) first,
/// then each program section in order of first appearance, functions in spec order.</summary>
internal static class CodeSectionLayout
{
    public static List<CodeSection> Arrange(IReadOnlyList<ProgramSpec> programs)
    {
        var sections = new List<CodeSection>();
        var byName = new Dictionary<string, CodeSection>(StringComparer.Ordinal);
        foreach (var p in programs.Where(p => p.IsSubprogram).Concat(programs.Where(p => !p.IsSubprogram)))
        {
            if (!byName.TryGetValue(p.SectionName, out var section))
            {
                section = new CodeSection(p.SectionName);
                byName.Add(p.SectionName, section);
                sections.Add(section);
            }
            section.Functions.Add(new PlacedFunction(p, section.SlotCount));
        }
        return sections;
    }
}
