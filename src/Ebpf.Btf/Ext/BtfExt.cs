using Ebpf.Btf.Wire;

namespace Ebpf.Btf;

// CONTRACT. Implementation: BTF helper.
// Offsets here are in instruction SLOTS relative to the start of the function's ELF section
// (the ELF encoding stores bytes; the kernel wants slots relative to the loaded program).

/// <summary>bpf_func_info: the function starting at <paramref name="InstructionOffset"/> has BTF FUNC <paramref name="Func"/>.</summary>
public sealed record BtfFuncInfo(int InstructionOffset, BtfFunc Func);

/// <summary>bpf_line_info: the instruction at <paramref name="InstructionOffset"/> comes from
/// <paramref name="FileName"/>:<paramref name="Line"/>:<paramref name="Column"/> (1-based), whose text is <paramref name="LineText"/>.</summary>
public sealed record BtfLineInfo(int InstructionOffset, string FileName, string LineText, int Line, int Column);

/// <summary>The func_info and line_info records of one ELF section.</summary>
public sealed record BtfExtSection(string SectionName, IReadOnlyList<BtfFuncInfo> FuncInfos, IReadOnlyList<BtfLineInfo> LineInfos)
{
    /// <summary>CO-RE relocation records (bpf_core_relo) of the section.</summary>
    public IReadOnlyList<BtfCoreRelocation> CoreRelocations { get; init; } = Array.Empty<BtfCoreRelocation>();
}

/// <summary>enum bpf_core_relo_kind: what a CO-RE relocation computes against the target kernel's BTF.</summary>
public enum BtfCoreRelocationKind : uint
{
    FieldByteOffset = 0, FieldByteSize = 1, FieldExists = 2, FieldSigned = 3, FieldLShiftU64 = 4, FieldRShiftU64 = 5,
    TypeIdLocal = 6, TypeIdTarget = 7, TypeExists = 8, TypeSize = 9, EnumValueExists = 10, EnumValue = 11, TypeMatches = 12,
}

/// <summary>bpf_core_relo: patch the instruction at <paramref name="InstructionOffset"/> (slots from the section start)
/// with <paramref name="Kind"/> computed for <paramref name="Type"/> along <paramref name="AccessString"/> (e.g. <c>0:1:2</c>).</summary>
public sealed record BtfCoreRelocation(int InstructionOffset, BtfType Type, string AccessString, BtfCoreRelocationKind Kind);

/// <summary>Encodes and parses <c>.BTF.ext</c> (version 1, header of 32 bytes; func_info rec 8, line_info rec 16).</summary>
public static class BtfExt
{
    /// <summary>Encodes the sections. Every string (section names, file names, line texts) and FUNC must already be in <paramref name="btf"/>
    /// (add strings with <see cref="BtfBuilder.AddString"/> before building, or use <see cref="BtfSpec.WithStrings"/>).</summary>
    public static byte[] Encode(IReadOnlyList<BtfExtSection> sections, BtfSpec btf) => BtfExtWriter.Encode(sections, btf);

    /// <summary>Strings <see cref="Encode"/> needs in the BTF string section: section names, file names, line texts, access strings.</summary>
    public static IEnumerable<string> RequiredStrings(IEnumerable<BtfExtSection> sections)
    {
        foreach (var s in sections)
        {
            yield return s.SectionName;
            foreach (var l in s.LineInfos) { yield return l.FileName; yield return l.LineText; }
            foreach (var c in s.CoreRelocations) yield return c.AccessString;
        }
    }

    /// <summary>Parses a <c>.BTF.ext</c> blob against the <c>.BTF</c> it belongs to; throws <see cref="BtfFormatException"/> when malformed.</summary>
    public static IReadOnlyList<BtfExtSection> Parse(ReadOnlySpan<byte> bytes, BtfSpec btf) => BtfExtReader.Parse(bytes, btf);
}
