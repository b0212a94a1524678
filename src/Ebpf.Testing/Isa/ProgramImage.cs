using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Runtime;

namespace Ebpf.Testing.Isa;

/// <summary>A program ready to interpret: its instructions indexed by slot (jump offsets count slots; the second slot
/// of an <c>ld_imm64</c> is empty), with map and global-data references already resolved to addresses.</summary>
public sealed class ProgramImage
{
    internal ProgramImage(string name, ProgramType type, IReadOnlyList<Instruction> instructions, LinkedProgram? linked)
    {
        Name = name;
        Type = type;
        Linked = linked;
        int slots = instructions.Sum(i => i.Slots);
        Slots = new Instruction[slots];
        IsStart = new bool[slots];
        int slot = 0;
        foreach (var insn in instructions)
        {
            Slots[slot] = insn;
            IsStart[slot] = true;
            slot += insn.Slots;
        }
    }

    /// <summary>The entry function's name.</summary>
    public string Name { get; }
    public ProgramType Type { get; }
    internal Instruction[] Slots { get; }
    internal bool[] IsStart { get; }
    /// <summary>The linked program (functions, line info) when the image comes from an object.</summary>
    public LinkedProgram? Linked { get; }
    public int SlotCount => Slots.Length;

    /// <summary>The C# source of the instruction at <paramref name="slot"/>, from line info; null without it.</summary>
    public SourceLocation? SourceAt(int slot) => Linked?.SourceAt(slot);

    /// <summary>An image of bare instructions (no object): maps are referenced with <c>ld_imm64</c> pseudo sources.</summary>
    public static ProgramImage FromInstructions(IReadOnlyList<Instruction> instructions, string name = "program", ProgramType type = ProgramType.Unspecified)
        => new(name, type, instructions, null);
}
