using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Where the structures of a valid seed object lie (file offsets), so mutations hit headers, tables and records
/// rather than only random bytes: the ELF header's section-table fields, each section header, the symbol and relocation
/// entries, the string tables, the .BTF header and each BTF type record, the .BTF.ext words.</summary>
public sealed class SeedLayout
{
    public sealed record Section(int Index, string Name, uint Type, long HeaderAt, long Offset, long Size, long EntrySize);

    public required byte[] Bytes { get; init; }
    public required IReadOnlyList<Section> Sections { get; init; }
    /// <summary>Start and end of each BTF type record (header and the kind's trailing members).</summary>
    public required IReadOnlyList<(long Start, long End)> BtfTypes { get; init; }
    public long BtfHeaderAt { get; init; } = -1;
    /// <summary>String tables: ELF .strtab and .shstrtab, the BTF string section.</summary>
    public required IReadOnlyList<(long Start, long End)> StringTables { get; init; }

    public const int ElfHeaderSize = 64, SectionHeaderSize = 64;
    const uint ShtSymtab = 2, ShtStrtab = 3, ShtRel = 9;

    public Section? Named(string name) => Sections.FirstOrDefault(s => s.Name == name);
    public IEnumerable<Section> OfType(uint type) => Sections.Where(s => s.Type == type);
    public IEnumerable<Section> Symbols => OfType(ShtSymtab);
    public IEnumerable<Section> Relocations => OfType(ShtRel);

    public static SeedLayout Of(byte[] elf)
    {
        var f = elf.AsSpan();
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(f[40..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(f[60..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(f[62..]);
        var raw = Enumerable.Range(0, shnum).Select(i =>
        {
            var h = elf.AsSpan((int)(shoff + i * SectionHeaderSize), SectionHeaderSize);
            return (At: shoff + i * SectionHeaderSize, NameOff: BinaryPrimitives.ReadUInt32LittleEndian(h), Type: BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[24..]), Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[32..]),
                EntSize: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[56..]));
        }).ToList();
        var names = raw[shstrndx];
        string NameAt(uint off)
        {
            int start = (int)(names.Offset + off), end = start;
            while (elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, start, end - start);
        }
        var sections = raw.Select((s, i) => new Section(i, NameAt(s.NameOff), s.Type, s.At, s.Offset, s.Size, s.EntSize)).ToList();
        var strings = sections.Where(s => s.Type == ShtStrtab).Select(s => (s.Offset, s.Offset + s.Size)).ToList();
        var btfTypes = new List<(long, long)>();
        long btfHeader = -1;
        if (sections.FirstOrDefault(s => s.Name == ".BTF") is { } btf)
        {
            btfHeader = btf.Offset;
            var h = f[(int)btf.Offset..];
            uint hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]), typeOff = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]),
                typeLen = BinaryPrimitives.ReadUInt32LittleEndian(h[12..]), strOff = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]),
                strLen = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long types = btf.Offset + hdrLen + typeOff, end = types + typeLen;
            strings.Add((btf.Offset + hdrLen + strOff, btf.Offset + hdrLen + strOff + strLen));
            for (long at = types; at < end;)
            {
                uint info = BinaryPrimitives.ReadUInt32LittleEndian(f[(int)(at + 4)..]);
                int vlen = (int)(info & 0xffff), kind = (int)((info >> 24) & 0x1f);
                long size = 12 + kind switch
                {
                    1 or 14 or 17 => 4,
                    3 => 12,
                    4 or 5 or 15 or 19 => 12 * vlen,
                    6 or 13 => 8 * vlen,
                    _ => 0,
                };
                btfTypes.Add((at, at + size));
                at += size;
            }
        }
        return new SeedLayout { Bytes = elf, Sections = sections, BtfTypes = btfTypes, BtfHeaderAt = btfHeader, StringTables = strings };
    }
}
