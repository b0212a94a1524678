using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime.Tests.Support;

/// <summary>Hand-assembles a <see cref="ProgramSpec"/>: instructions with labels (AsmBuilder), relocations by kind,
/// and line infos attached to the next instruction, as the compiler would produce them.</summary>
internal sealed class ProgramBuilder(string name, ProgramType type = ProgramType.Xdp, string section = "xdp", AttachType attachType = AttachType.None, string? attachTarget = null)
{
    readonly AsmBuilder _asm = new();
    readonly List<Relocation> _relocations = new();
    readonly List<(int Index, string File, string Text, int Line, int Column)> _lines = new();
    readonly List<(int Index, BtfFunc Func)> _funcs = new();

    public ProgramBuilder Emit(Instruction insn) { _asm.Emit(insn); return this; }
    public ProgramBuilder Jump(Instruction jump, string label) { _asm.EmitJump(jump, label); return this; }
    public ProgramBuilder Label(string label) { _asm.Label(label); return this; }

    /// <summary>ld_imm64 dst = &amp;map (relocated to BPF_PSEUDO_MAP_FD).</summary>
    public ProgramBuilder LoadMap(Register dst, string map) => Reloc(Insn.LoadImm64(dst, 0), RelocationKind.Map, map);

    /// <summary>ld_imm64 dst = &amp;section[offset] (relocated to BPF_PSEUDO_MAP_VALUE).</summary>
    public ProgramBuilder LoadGlobal(Register dst, string section, int offset) => Reloc(Insn.LoadImm64(dst, offset), RelocationKind.GlobalData, section);

    /// <summary>BPF-to-BPF call of <paramref name="function"/>.</summary>
    public ProgramBuilder Call(string function) => Reloc(Insn.CallLocal(), RelocationKind.Call, function);

    public ProgramBuilder Helper(int id) => Emit(Insn.CallHelper(id));

    /// <summary>A line_info record for the next instruction.</summary>
    public ProgramBuilder Line(string file, int line, int column, string text)
    {
        _lines.Add((_asm.Count, file, text, line, column));
        return this;
    }

    /// <summary>A func_info record at the function start.</summary>
    public ProgramBuilder Func(BtfFunc func)
    {
        _funcs.Add((0, func));
        return this;
    }

    ProgramBuilder Reloc(Instruction insn, RelocationKind kind, string symbol)
    {
        _relocations.Add(new Relocation(_asm.Count, kind, symbol));
        _asm.Emit(insn);
        return this;
    }

    public ProgramSpec Build()
    {
        var code = _asm.Build();
        var slots = code.SlotOffsets();
        return new ProgramSpec
        {
            Name = name,
            SectionName = section,
            Type = type,
            ExpectedAttachType = attachType,
            AttachTarget = attachTarget,
            Instructions = code.Instructions,
            Relocations = _relocations.ToArray(),
            LineInfos = _lines.Select(l => new BtfLineInfo(slots[l.Index], l.File, l.Text, l.Line, l.Column)).ToArray(),
            FuncInfos = _funcs.Select(f => new BtfFuncInfo(slots[f.Index], f.Func)).ToArray(),
        };
    }

    /// <summary>A sub-program (section .text).</summary>
    public static ProgramBuilder Subprogram(string name) => new(name, ProgramType.Unspecified, ".text");
}

/// <summary>Kernel helper ids (include/uapi/linux/bpf.h, __BPF_FUNC_MAPPER order).</summary>
internal static class HelperId
{
    public const int MapLookupElem = 1, MapUpdateElem = 2, MapDeleteElem = 3, KtimeGetNs = 5, GetSmpProcessorId = 8,
        GetCurrentPidTgid = 14;
}
