using System.Buffers.Binary;

namespace Ebpf.Object.Elf;

/// <summary>One symbol to emit. <see cref="SectionIndex"/> is the ELF section index (st_shndx).</summary>
internal sealed record ElfSymbol(string Name, byte Binding, byte Type, ushort SectionIndex, ulong Value, ulong Size);

/// <summary>Builds <c>.symtab</c>: the null symbol, then every LOCAL symbol, then the GLOBAL ones
/// (the ELF rule clang follows; <c>sh_info</c> is the first non-local index).</summary>
internal sealed class ElfSymbolTableBuilder
{
    readonly List<ElfSymbol> _symbols = new();
    Dictionary<ElfSymbol, int>? _indices;

    /// <summary>Adds a symbol; its final index is known only after <see cref="Seal"/>.</summary>
    public ElfSymbol Add(ElfSymbol symbol)
    {
        if (_indices != null) throw new InvalidOperationException("symbol table already sealed");
        _symbols.Add(symbol);
        return symbol;
    }

    /// <summary>Fixes the order (locals first, each group in insertion order) and so every index.</summary>
    public void Seal()
    {
        var ordered = _symbols.Where(s => s.Binding == ElfConstants.STB_LOCAL)
            .Concat(_symbols.Where(s => s.Binding != ElfConstants.STB_LOCAL)).ToList();
        _indices = new Dictionary<ElfSymbol, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < ordered.Count; i++) _indices[ordered[i]] = i + 1;   // 0 is the null symbol
        _symbols.Clear();
        _symbols.AddRange(ordered);
    }

    public int IndexOf(ElfSymbol symbol) => (_indices ?? throw new InvalidOperationException("seal the symbol table first"))[symbol];

    /// <summary>Index of the first non-local symbol (<c>.symtab</c> sh_info).</summary>
    public uint FirstGlobal => (uint)(1 + _symbols.Count(s => s.Binding == ElfConstants.STB_LOCAL));

    public byte[] Encode(ElfStringTableBuilder names)
    {
        if (_indices == null) throw new InvalidOperationException("seal the symbol table first");
        var bytes = new byte[(1 + _symbols.Count) * ElfConstants.SymbolSize];
        for (int i = 0; i < _symbols.Count; i++)
        {
            var s = _symbols[i];
            var d = bytes.AsSpan((i + 1) * ElfConstants.SymbolSize);
            // Section symbols have no name (st_name 0), as clang writes them.
            BinaryPrimitives.WriteUInt32LittleEndian(d, s.Type == ElfConstants.STT_SECTION ? 0 : names.Add(s.Name));
            d[4] = ElfConstants.SymbolInfo(s.Binding, s.Type);
            d[5] = ElfConstants.STV_DEFAULT;
            BinaryPrimitives.WriteUInt16LittleEndian(d[6..], s.SectionIndex);
            BinaryPrimitives.WriteUInt64LittleEndian(d[8..], s.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(d[16..], s.Size);
        }
        return bytes;
    }
}
