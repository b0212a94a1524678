using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using static Ebpf.Object.Elf.ElfConstants;

namespace Ebpf.Object.Elf;

/// <summary>A section of an input object: header fields plus lazy access to its bytes.</summary>
internal sealed class ElfInputSection(int index, string name, RawSectionHeader header, Func<byte[]> contents)
{
    byte[]? _contents;
    public int Index { get; } = index;
    public string Name { get; } = name;
    public RawSectionHeader Header { get; } = header;
    public uint Type => Header.Type;
    public ulong Size => Header.Size;
    public bool IsExecutable => Type == SHT_PROGBITS && (Header.Flags & SHF_EXECINSTR) != 0;
    public bool IsAllocated => (Header.Flags & SHF_ALLOC) != 0;
    /// <summary>The section's bytes; none for an inactive section (SHT_NULL), whose offset and size mean nothing.</summary>
    public byte[] Contents => _contents ??= Type == SHT_NOBITS ? new byte[Size] : Type == SHT_NULL ? [] : contents();
}

/// <summary>A symbol of an input object.</summary>
internal sealed record ElfInputSymbol(int Index, string Name, byte Binding, byte Type, ushort SectionIndex, ulong Value, ulong Size, bool IsHidden = false)
{
    public bool IsFunction => Type == STT_FUNC;
    public bool IsSection => Type == STT_SECTION;
}

/// <summary>An EM_BPF relocatable object opened with ELFSharp after <see cref="ElfFileCheck"/> has
/// proven every header in bounds: sections by index and name, and the symbol table.</summary>
internal sealed class ElfObjectFile
{
    public string Name { get; }
    public IReadOnlyList<ElfInputSection> Sections { get; }
    public IReadOnlyList<ElfInputSymbol> Symbols { get; }

    ElfObjectFile(string name, IReadOnlyList<ElfInputSection> sections, IReadOnlyList<ElfInputSymbol> symbols)
    {
        Name = name;
        Sections = sections;
        Symbols = symbols;
    }

    public ElfInputSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);

    public static ElfObjectFile Open(byte[] bytes, string name)
    {
        var headers = ElfFileCheck.Validate(bytes, name);
        if (!ELFReader.TryLoad(new MemoryStream(bytes, writable: false), true, out var loaded) || loaded is not ELF<ulong> elf)
            throw ElfFileCheck.Error(name, "ELFSharp cannot read this file as ELF64");
        using (elf)
        {
            if (elf.Sections.Count != headers.Length)
                throw ElfFileCheck.Error(name, $"ELFSharp sees {elf.Sections.Count} sections, the header table has {headers.Length}");
            var sections = new List<ElfInputSection>(headers.Length);
            for (int i = 0; i < headers.Length; i++)
            {
                var s = elf.Sections[i];
                var h = headers[i];
                // Contents are copied now from our own validated header: ELFSharp's stream is disposed below.
                sections.Add(new ElfInputSection(i, s.Name, h, () => bytes.AsSpan((int)h.Offset, (int)h.Size).ToArray()));
            }
            var symtabs = headers.Select((h, i) => (h, i)).Where(x => x.h.Type == SHT_SYMTAB).ToList();
            if (symtabs.Count != 1)
                throw ElfFileCheck.Error(name, symtabs.Count == 0 ? "no symbol table (.symtab); libbpf needs one" : "more than one symbol table");
            var table = (SymbolTable<ulong>)elf.Sections[symtabs[0].i];
            var symbols = new List<ElfInputSymbol>();
            int index = 0;
            foreach (var e in table.Entries)
            {
                byte binding = e.Binding switch { SymbolBinding.Local => STB_LOCAL, SymbolBinding.Global => STB_GLOBAL, SymbolBinding.Weak => STB_WEAK, _ => 0xf };
                byte type = e.Type switch
                {
                    SymbolType.NotSpecified => STT_NOTYPE, SymbolType.Object => STT_OBJECT, SymbolType.Function => STT_FUNC,
                    SymbolType.Section => STT_SECTION, SymbolType.File => STT_FILE, _ => 0xf,
                };
                var sym = new ElfInputSymbol(index, e.Name ?? "", binding, type, e.PointedSectionIndex, e.Value, e.Size,
                    e.Visibility is SymbolVisibility.Hidden or SymbolVisibility.Internal);
                if (sym.SectionIndex < SHN_LORESERVE && sym.SectionIndex >= headers.Length)
                    throw ElfFileCheck.Error(name, $"symbol {index} '{sym.Name}' is in section {sym.SectionIndex}, which does not exist");
                symbols.Add(sym);
                index++;
            }
            return new ElfObjectFile(name, sections, symbols);
        }
    }
}
