using System.Buffers.Binary;

namespace Ebpf.Btf;

// .BTF.ext layout (all offsets relative to the end of the header):
//
//   header (32 bytes): magic 0xEB9F | version 1 | flags 0 | hdr_len 32 |
//                      func_info_off, func_info_len | line_info_off, line_info_len | core_relo_off, core_relo_len
//   each area:         u32 rec_size, then per ELF section { u32 sec_name_off, u32 num_info, num_info records }
//
//   func_info  (8):  insn_off (bytes from the section start), type_id of the FUNC
//   line_info  (16): insn_off, file_name_off, line_off, line_col = line << 10 | column
//   core_relo  (16): insn_off, type_id, access_str_off, kind

/// <summary>Writes <c>.BTF.ext</c> the way clang 14 does: all three areas present, the CO-RE one possibly empty.</summary>
internal static class BtfExtWriter
{
    public const int HeaderSize = 32;
    public const int FuncInfoSize = 8, LineInfoSize = 16, CoreReloSize = 16;
    public const int MaxColumn = 0x3ff, MaxLine = 0x3fffff;

    public static byte[] Encode(IReadOnlyList<BtfExtSection> sections, BtfSpec btf)
    {
        var func = Area(FuncInfoSize, sections, s => s.FuncInfos.Count, (s, w) =>
        {
            foreach (var f in s.FuncInfos.OrderBy(f => f.InstructionOffset))
            {
                w.Add(ByteOffset(f.InstructionOffset, s.SectionName));
                w.Add((uint)btf.IdOf(f.Func));
            }
        }, btf);
        var line = Area(LineInfoSize, sections, s => s.LineInfos.Count, (s, w) =>
        {
            foreach (var l in s.LineInfos.OrderBy(l => l.InstructionOffset))
            {
                w.Add(ByteOffset(l.InstructionOffset, s.SectionName));
                w.Add(StringOffset(btf, l.FileName));
                w.Add(StringOffset(btf, l.LineText));
                // The kernel has 10 bits for the column: longer lines keep the line and lose the column.
                uint column = (uint)Math.Clamp(l.Column, 0, MaxColumn);
                if (l.Line is < 0 or > MaxLine) throw new ArgumentException($"line_info in '{s.SectionName}': line {l.Line} does not fit in 22 bits");
                w.Add(((uint)l.Line << 10) | column);
            }
        }, btf);
        var core = Area(CoreReloSize, sections, s => s.CoreRelocations.Count, (s, w) =>
        {
            foreach (var c in s.CoreRelocations.OrderBy(c => c.InstructionOffset))
            {
                w.Add(ByteOffset(c.InstructionOffset, s.SectionName));
                w.Add((uint)btf.IdOf(c.Type));
                w.Add(StringOffset(btf, c.AccessString));
                w.Add((uint)c.Kind);
            }
        }, btf);

        var bytes = new byte[HeaderSize + func.Length + line.Length + core.Length];
        var h = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(h, 0xEB9F);
        h[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)func.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)func.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)line.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)(func.Length + line.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)core.Length);
        func.CopyTo(bytes, HeaderSize);
        line.CopyTo(bytes, HeaderSize + func.Length);
        core.CopyTo(bytes, HeaderSize + func.Length + line.Length);
        return bytes;
    }

    /// <summary>One area: the record size, then a block per section that has records. An area without
    /// records is empty (length 0), as clang writes the CO-RE area.</summary>
    static byte[] Area(int recordSize, IReadOnlyList<BtfExtSection> sections, Func<BtfExtSection, int> count,
        Action<BtfExtSection, List<uint>> records, BtfSpec btf)
    {
        var words = new List<uint>();
        // clang always writes the record size of the func_info and line_info areas; libbpf requires it
        // whenever the area is non-empty.
        if (recordSize != CoreReloSize || sections.Any(s => count(s) > 0)) words.Add((uint)recordSize);
        foreach (var s in sections)
        {
            int n = count(s);
            if (n == 0) continue;
            words.Add(StringOffset(btf, s.SectionName));
            words.Add((uint)n);
            records(s, words);
        }
        var bytes = new byte[words.Count * 4];
        for (int i = 0; i < words.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), words[i]);
        return bytes;
    }

    static uint ByteOffset(int slots, string section)
    {
        if (slots < 0) throw new ArgumentException($".BTF.ext record in '{section}' has a negative instruction offset {slots}");
        return checked((uint)slots * 8);
    }

    static uint StringOffset(BtfSpec btf, string s) => btf.FindString(s)
        ?? throw new ArgumentException($"string '{s}' is not in the BTF string section; add it with BtfBuilder.AddString or BtfSpec.WithStrings before encoding .BTF.ext");
}
