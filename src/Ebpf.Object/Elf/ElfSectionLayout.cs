using System.Buffers.Binary;

namespace Ebpf.Object.Elf;

/// <summary>A section to write. <see cref="Contents"/> is null for SHT_NOBITS (then <see cref="NoBitsSize"/> counts).
/// Link and Info are filled once the indices of the sections they name are known.</summary>
internal sealed class ElfOutputSection(string name, uint type, ulong flags, ulong alignment)
{
    public string Name { get; } = name;
    public uint Type { get; } = type;
    public ulong Flags { get; } = flags;
    public ulong Alignment { get; } = alignment;
    public byte[]? Contents { get; set; }
    public ulong NoBitsSize { get; set; }
    public uint Link { get; set; }
    public uint Info { get; set; }
    public ulong EntrySize { get; set; }
    /// <summary>Index in the section header table, set by <see cref="ElfSectionLayout.Add"/>.</summary>
    public int Index { get; set; } = -1;
    public ulong Size => Type == ElfConstants.SHT_NOBITS ? NoBitsSize : (ulong)(Contents?.Length ?? 0);
}

/// <summary>Places sections in the file and writes the ELF64 header, the section bodies in index order
/// (each aligned) and the section header table at the end.</summary>
internal sealed class ElfSectionLayout
{
    readonly List<ElfOutputSection> _sections = new() { new ElfOutputSection("", ElfConstants.SHT_NULL, 0, 0) { Index = 0 } };

    public ElfOutputSection Add(ElfOutputSection section)
    {
        section.Index = _sections.Count;
        _sections.Add(section);
        return section;
    }

    public byte[] Write(ElfStringTableBuilder names, ElfOutputSection sectionNameTable)
    {
        // Every name is interned before the string table's bytes are taken.
        var nameOffsets = _sections.Select(s => names.Add(s.Name)).ToArray();
        sectionNameTable.Contents = names.ToArray();

        var offsets = new ulong[_sections.Count];
        ulong pos = ElfConstants.HeaderSize;
        for (int i = 1; i < _sections.Count; i++)
        {
            var s = _sections[i];
            pos = Align(pos, Math.Max(1, s.Alignment));
            offsets[i] = pos;
            if (s.Type != ElfConstants.SHT_NOBITS) pos += s.Size;
        }
        ulong shoff = Align(pos, 8);
        var file = new byte[shoff + (ulong)_sections.Count * ElfConstants.SectionHeaderSize];

        WriteHeader(file, shoff, (ushort)_sections.Count, (ushort)sectionNameTable.Index);
        for (int i = 1; i < _sections.Count; i++)
        {
            var s = _sections[i];
            s.Contents?.CopyTo(file, (int)offsets[i]);
            var h = file.AsSpan((int)shoff + i * ElfConstants.SectionHeaderSize, ElfConstants.SectionHeaderSize);
            BinaryPrimitives.WriteUInt32LittleEndian(h, nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], s.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(h[8..], s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(h[16..], 0);                 // sh_addr
            BinaryPrimitives.WriteUInt64LittleEndian(h[24..], offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(h[32..], s.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], s.Link);
            BinaryPrimitives.WriteUInt32LittleEndian(h[44..], s.Info);
            BinaryPrimitives.WriteUInt64LittleEndian(h[48..], s.Alignment);
            BinaryPrimitives.WriteUInt64LittleEndian(h[56..], s.EntrySize);
        }
        return file;
    }

    static void WriteHeader(Span<byte> f, ulong shoff, ushort shnum, ushort shstrndx)
    {
        f[0] = 0x7f; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
        f[4] = ElfConstants.ELFCLASS64;
        f[5] = ElfConstants.ELFDATA2LSB;
        f[6] = 1;                                                       // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(f[16..], ElfConstants.ET_REL);
        BinaryPrimitives.WriteUInt16LittleEndian(f[18..], ElfConstants.EM_BPF);
        BinaryPrimitives.WriteUInt32LittleEndian(f[20..], 1);           // e_version
        BinaryPrimitives.WriteUInt64LittleEndian(f[40..], shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(f[52..], ElfConstants.HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(f[58..], ElfConstants.SectionHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(f[60..], shnum);
        BinaryPrimitives.WriteUInt16LittleEndian(f[62..], shstrndx);
    }

    static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;
}
