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
public sealed record BtfExtSection(string SectionName, IReadOnlyList<BtfFuncInfo> FuncInfos, IReadOnlyList<BtfLineInfo> LineInfos);

/// <summary>Encodes and parses <c>.BTF.ext</c> (version 1, header of 32 bytes; func_info rec 8, line_info rec 16).</summary>
public static class BtfExt
{
    /// <summary>Encodes the sections. Every string (section names, file names, line texts) and FUNC must already be in <paramref name="btf"/>
    /// (add strings with <see cref="BtfBuilder.AddString"/> before building).</summary>
    public static byte[] Encode(IReadOnlyList<BtfExtSection> sections, BtfSpec btf) => throw new NotImplementedException();

    public static IReadOnlyList<BtfExtSection> Parse(ReadOnlySpan<byte> bytes, BtfSpec btf) => throw new NotImplementedException();
}
