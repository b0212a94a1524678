using System.Text;
using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Compiler.Output;

/// <summary>Prints an <see cref="ObjectSpec"/> for people: license, maps with their key/value types, data
/// sections with their variables, programs, and an llvm-objdump-style disassembly of each function with
/// relocations and the C# source lines of its line_info interleaved. Used by <c>ebpf dump</c> and by
/// the pipeline's <c>--dump-after object</c>.</summary>
public static class ObjectPrinter
{
    public sealed record Options(bool HexBytes = true, bool SourceLines = true);

    public static string Print(ObjectSpec spec, Options? options = null)
    {
        options ??= new Options();
        var sb = new StringBuilder();
        sb.Append("license: \"").Append(spec.License).Append("\"\n");

        sb.Append($"\nmaps ({spec.Maps.Count}):\n");
        foreach (var map in spec.Maps)
        {
            sb.Append($"  {map.Name}: {map.Type}, key {map.KeySize} B{TypeName(map.KeyType)}, value {map.ValueSize} B{TypeName(map.ValueType)}, max_entries {map.MaxEntries}");
            if (map.Flags != 0) sb.Append($", flags 0x{map.Flags:x}");
            if (map.Pinning != MapPinning.None) sb.Append($", pinning {map.Pinning}");
            sb.Append('\n');
        }

        sb.Append($"\ndata sections ({spec.DataSections.Count}):\n");
        foreach (var data in spec.DataSections)
        {
            sb.Append($"  {data.Name}: {data.Size} B{(data.IsReadOnly ? ", read-only" : "")}{(data.Contents is null ? ", zero-filled" : "")}\n");
            foreach (var v in data.BtfDatasec?.Variables.OrderBy(v => v.Offset) ?? Enumerable.Empty<BtfVarSecInfo>())
            {
                sb.Append($"    +{v.Offset,-4} {v.Var.Name}: {CType(v.Var.Type)} ({v.Size} B)");
                if (data.Contents is { } bytes && (ulong)v.Offset + v.Size <= (ulong)bytes.Length)
                    sb.Append(" = ").Append(Convert.ToHexString(bytes, (int)v.Offset, (int)v.Size).ToLowerInvariant());
                sb.Append('\n');
            }
        }

        var entries = spec.Programs.Where(p => !p.IsSubprogram).ToList();
        var subprograms = spec.Programs.Where(p => p.IsSubprogram).ToList();
        sb.Append($"\nprograms ({entries.Count}):\n");
        foreach (var p in entries)
            sb.Append($"  {p.Name}: section {p.SectionName}, type {p.Type}{(p.ExpectedAttachType != AttachType.None ? $", attach {p.ExpectedAttachType}" : "")}, {p.Instructions.Count} instructions ({Slots(p)} slots)\n");
        if (subprograms.Count > 0)
        {
            sb.Append($"\nsub-programs ({subprograms.Count}, section .text):\n");
            foreach (var p in subprograms) sb.Append($"  {p.Name}: {p.Instructions.Count} instructions ({Slots(p)} slots)\n");
        }

        foreach (var group in spec.Programs.GroupBy(p => p.SectionName))
        {
            sb.Append($"\nDisassembly of section {group.Key}:\n");
            int sectionSlot = 0;
            foreach (var program in group)
            {
                sb.Append($"\n{sectionSlot * Instruction.SlotSize:x16} <{program.Name}>:\n");
                Disassemble(sb, program, options, sectionSlot);
                sectionSlot += Slots(program);
            }
        }
        return sb.ToString();
    }

    /// <summary>The disassembly of one function: slot, optional bytes, instruction text, relocations, and the
    /// source line before the first instruction of each line (as <c>llvm-objdump -S</c>). Slots and relocation
    /// offsets count from the section start; <paramref name="baseSlot"/> is the function's first slot in it.</summary>
    public static void Disassemble(StringBuilder sb, ProgramSpec program, Options options, int baseSlot = 0)
    {
        var relocations = program.Relocations.ToLookup(r => r.InstructionIndex);
        var lines = program.LineInfos.Where(l => l.Line > 0).ToLookup(l => l.InstructionOffset);
        (string File, int Line)? shown = null;
        int slot = 0;
        var buffer = new byte[16];
        for (int i = 0; i < program.Instructions.Count; i++)
        {
            var insn = program.Instructions[i];
            if (options.SourceLines)
                foreach (var line in lines[slot])
                {
                    if (shown == (line.FileName, line.Line)) continue;
                    shown = (line.FileName, line.Line);
                    sb.Append($"; {line.LineText.Trim()} // {Path.GetFileName(line.FileName)}:{line.Line}\n");
                }
            sb.Append($"{baseSlot + slot,8}:\t");
            if (options.HexBytes)
            {
                int n = insn.Encode(buffer);
                sb.Append(string.Join(' ', buffer.Take(n).Select(b => b.ToString("x2")))).Append('\t');
            }
            sb.Append(InstructionFormatter.Format(insn)).Append('\n');
            foreach (var r in relocations[i])
                sb.Append($"\t\t{(baseSlot + slot) * Instruction.SlotSize:x16}:  {RelocationType(r.Kind, insn.IsWide)}\t{r.Symbol}\n");
            slot += insn.Slots;
        }
    }

    static int Slots(ProgramSpec p) => InstructionCodec.SlotCount(p.Instructions);

    /// <summary>The ELF relocation type as llvm-objdump prints it; a callback's address (a Call on ld_imm64) is R_BPF_64_64.</summary>
    static string RelocationType(RelocationKind kind, bool wide) => kind switch
    {
        RelocationKind.Map or RelocationKind.GlobalData or RelocationKind.Ksym => "R_BPF_64_64",
        RelocationKind.Call => wide ? "R_BPF_64_64" : "R_BPF_64_32",
        RelocationKind.Kfunc => "R_BPF_64_32",
        _ => kind.ToString(),
    };

    static string TypeName(BtfType? type) => type is null ? "" : $" ({CType(type)})";

    /// <summary>A C spelling of a BTF type: <c>unsigned int</c>, <c>struct Key</c>, <c>const volatile unsigned int</c>, <c>u8[16]</c>.</summary>
    public static string CType(BtfType type) => type switch
    {
        BtfVoid => "void",
        BtfInt i => i.Name ?? "int",
        BtfStruct s => (s.IsUnion ? "union " : "struct ") + (s.Name ?? "<anon>"),
        BtfEnum e => "enum " + (e.Name ?? "<anon>"),
        BtfForward f => (f.IsUnion ? "union " : "struct ") + f.Name,
        BtfPointer p => CType(p.Target) + " *",
        BtfArray a => $"{CType(a.Element)}[{a.Count}]",
        BtfTypedef t => t.Name ?? "?",
        BtfQualifier q => $"{q.Kind.ToString().ToLowerInvariant()} {CType(q.Target)}",
        _ => type.Name ?? type.GetType().Name,
    };
}
