using System.Buffers.Binary;
using static Ebpf.Object.Elf.ElfConstants;

namespace Ebpf.Object.Elf;

/// <summary>A section header as stored (the fields ELFSharp does not expose: link, info, entry size).</summary>
internal readonly record struct RawSectionHeader(uint NameOffset, uint Type, ulong Flags, ulong Offset, ulong Size, uint Link, uint Info, ulong Alignment, ulong EntrySize);

/// <summary>Checks the ELF header and every section header against the file size before anything reads
/// section contents, so a truncated or corrupt file fails with one precise message instead of an
/// exception from deep inside a parser.</summary>
internal static class ElfFileCheck
{
    public static RawSectionHeader[] Validate(ReadOnlySpan<byte> f, string name)
    {
        if (f.Length < 4 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
            throw Error(name, f.Length == 0 ? "empty file, not an ELF object" : "not an ELF file (bad magic)");
        if (f.Length < HeaderSize) throw Error(name, $"truncated ELF: {f.Length} bytes, shorter than the 64-byte ELF64 header");
        if (f[4] == ELFCLASS32) throw Error(name, "32-bit ELF (ELFCLASS32); eBPF objects are ELF64");
        if (f[4] != ELFCLASS64) throw Error(name, $"unknown ELF class {f[4]}");
        if (f[5] != ELFDATA2LSB) throw Error(name, f[5] == 2 ? "big-endian ELF; only little-endian eBPF objects are supported" : $"unknown ELF data encoding {f[5]}");
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(f[16..]);
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(f[18..]);
        if (machine != EM_BPF) throw Error(name, $"ELF machine is {MachineName(machine)} ({machine}), not BPF ({EM_BPF})");
        if (type != ET_REL) throw Error(name, $"ELF type is {type}, not a relocatable object (ET_REL = 1)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(f[20..]);
        if (f[6] != EV_CURRENT || version != EV_CURRENT) throw Error(name, $"unknown ELF version {(f[6] != EV_CURRENT ? f[6] : version)} (expected {EV_CURRENT})");
        // Relocatable objects have no program headers; a table that is there must still lie inside the file.
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(f[32..]);
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(f[54..]);
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(f[56..]);
        if (phnum != 0 && (phoff > (ulong)f.Length || (ulong)phnum * phentsize > (ulong)f.Length - phoff || phentsize < ProgramHeaderSize))
            throw Error(name, $"program header table [{phoff}, +{phnum} x {phentsize} bytes) lies outside the {f.Length}-byte file or has entries smaller than {ProgramHeaderSize} bytes");
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(f[40..]);
        ushort shentsize = BinaryPrimitives.ReadUInt16LittleEndian(f[58..]);
        ushort shnum = BinaryPrimitives.ReadUInt16LittleEndian(f[60..]);
        ushort shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(f[62..]);
        if (shnum == 0) throw Error(name, "no section headers");
        if (shentsize != SectionHeaderSize) throw Error(name, $"section header size {shentsize}, expected {SectionHeaderSize}");
        ulong tableEnd = shoff + (ulong)shnum * SectionHeaderSize;
        if (shoff > (ulong)f.Length || tableEnd > (ulong)f.Length)
            throw Error(name, $"truncated ELF: the section header table ends at byte {tableEnd}, past the end of the {f.Length}-byte file");
        if (shstrndx >= shnum) throw Error(name, $"section name table index {shstrndx} is not a section (there are {shnum})");

        var headers = new RawSectionHeader[shnum];
        for (int i = 0; i < shnum; i++)
        {
            var h = f.Slice((int)shoff + i * SectionHeaderSize, SectionHeaderSize);
            var s = new RawSectionHeader(
                BinaryPrimitives.ReadUInt32LittleEndian(h), BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[8..]), BinaryPrimitives.ReadUInt64LittleEndian(h[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[32..]), BinaryPrimitives.ReadUInt32LittleEndian(h[40..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[44..]), BinaryPrimitives.ReadUInt64LittleEndian(h[48..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[56..]));
            headers[i] = s;
            if (s.Type == SHT_NOBITS && s.Size > int.MaxValue)
                throw Error(name, $"section {i} (no bits in the file) claims {s.Size} bytes, more than a data section can hold ({int.MaxValue})");
            if (i == 0 || s.Type is SHT_NULL or SHT_NOBITS) continue;
            if (s.Offset > (ulong)f.Length || s.Size > (ulong)f.Length - s.Offset)
                throw Error(name, $"section {i} [{s.Offset}, +{s.Size}) lies outside the {f.Length}-byte file (truncated or corrupt)");
            if (s.Type is SHT_REL or SHT_SYMTAB && s.Link >= shnum)
                throw Error(name, $"section {i} links to section {s.Link}, which does not exist");
            if (s.Type == SHT_REL && s.EntrySize != RelSize) throw Error(name, $"relocation section {i} has entry size {s.EntrySize}, expected {RelSize}");
            if (s.Type == SHT_REL && s.Info >= shnum) throw Error(name, $"relocation section {i} applies to section {s.Info}, which does not exist");
            if (s.Type == SHT_SYMTAB && s.EntrySize != SymbolSize) throw Error(name, $"symbol table has entry size {s.EntrySize}, expected {SymbolSize}");
        }
        var strtab = headers[shstrndx];
        if (strtab.Type != SHT_STRTAB) throw Error(name, $"section name table (section {shstrndx}) is not a string table");
        for (int i = 0; i < shnum; i++)
            if (headers[i].NameOffset >= strtab.Size) throw Error(name, $"section {i} has name offset {headers[i].NameOffset} outside the section name table");
        if (strtab.Size > 0 && f[(int)(strtab.Offset + strtab.Size - 1)] != 0) throw Error(name, "section name table does not end with NUL");
        // ELFSharp reads the names of every symbol table, the dynamic one (SHT_DYNSYM) too.
        for (int i = 1; i < shnum; i++)
            if (headers[i].Type is SHT_SYMTAB or SHT_DYNSYM) CheckSymbolNames(f, headers, i, name);
        return headers;
    }

    /// <summary>Every symbol's name lies in the symbol table's string table, which ends with NUL.</summary>
    static void CheckSymbolNames(ReadOnlySpan<byte> f, RawSectionHeader[] headers, int symtab, string name)
    {
        var table = headers[symtab];
        var strings = headers[table.Link];
        if (strings.Type != SHT_STRTAB) throw Error(name, $"symbol table (section {symtab}) links to section {table.Link}, which is not a string table");
        if (strings.Size == 0 || f[(int)(strings.Offset + strings.Size - 1)] != 0)
            throw Error(name, $"symbol string table (section {table.Link}) does not end with NUL");
        for (ulong at = 0, index = 0; at + SymbolSize <= table.Size; at += SymbolSize, index++)
        {
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(f[(int)(table.Offset + at)..]);
            if (nameOffset >= strings.Size)
                throw Error(name, $"symbol {index} has name offset {nameOffset} outside the {strings.Size}-byte symbol string table");
        }
    }

    static string MachineName(ushort m) => m switch
    {
        3 => "i386", 40 => "ARM", 62 => "x86-64", 183 => "AArch64", 243 => "RISC-V", 8 => "MIPS", 21 => "PowerPC64", 22 => "s390",
        _ => "machine",
    };

    public static ObjectFormatException Error(string name, string problem) => new($"{name}: {Printable(problem)}");

    /// <summary><paramref name="problem"/> with control characters as <c>\xNN</c>: names quoted from a corrupt string
    /// table may hold line breaks, and the message is one line.</summary>
    public static string Printable(string problem)
    {
        if (!problem.Any(char.IsControl)) return problem;
        var sb = new System.Text.StringBuilder(problem.Length + 8);
        foreach (char c in problem) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        return sb.ToString();
    }
}
