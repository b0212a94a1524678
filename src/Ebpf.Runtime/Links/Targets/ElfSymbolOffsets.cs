using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Runtime;

/// <summary>Finds where a function's code lies in an ELF file (the uprobe offset): the symbol's address minus its
/// section's address plus the section's file offset, from <c>.symtab</c> or <c>.dynsym</c> (as libbpf does).</summary>
public static class ElfSymbolOffsets
{
    const uint ShtSymtab = 2, ShtDynsym = 11;
    const int SttFunc = 2, SttGnuIfunc = 10;

    /// <summary>The file offset of function <paramref name="symbol"/> in <paramref name="path"/>.</summary>
    public static ulong FileOffset(string path, string symbol)
    {
        byte[] elf;
        try
        {
            elf = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read '{path}' to find symbol '{symbol}': {e.Message}", nameof(path), e);
        }
        var span = elf.AsSpan();
        if (elf.Length < 64 || !span[..4].SequenceEqual("\u007fELF"u8))
            throw new ArgumentException($"'{path}' is not an ELF file", nameof(path));
        if (elf[4] != 2 || elf[5] != 1)
            throw new ArgumentException($"'{path}' is not a 64-bit little-endian ELF file", nameof(path));

        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[40..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);
        (uint Type, ulong Addr, ulong Offset, ulong Size, uint Link, ulong EntSize) Section(int i)
        {
            var s = elf.AsSpan(checked((int)shoff + i * shentsize));
            return (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(s[40..]), BinaryPrimitives.ReadUInt64LittleEndian(s[56..]));
        }

        var wanted = Encoding.UTF8.GetBytes(symbol);
        foreach (uint tableType in new[] { ShtSymtab, ShtDynsym })
        {
            for (int i = 0; i < shnum; i++)
            {
                var table = Section(i);
                if (table.Type != tableType || table.EntSize != 24) continue;
                var strings = Section((int)table.Link);
                for (ulong off = 0; off + 24 <= table.Size; off += 24)
                {
                    var sym = span[checked((int)(table.Offset + off))..];
                    int type = sym[4] & 0xf;
                    ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                    ulong value = BinaryPrimitives.ReadUInt64LittleEndian(sym[8..]);
                    if (type is not (SttFunc or SttGnuIfunc) || shndx == 0 || shndx >= shnum || value == 0) continue;
                    var name = span[checked((int)(strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(sym)))..];
                    int end = name.IndexOf((byte)0);
                    if (end != wanted.Length || !name[..end].SequenceEqual(wanted)) continue;
                    var home = Section(shndx);
                    return value - home.Addr + home.Offset;
                }
            }
        }
        throw new ArgumentException($"'{path}' has no function symbol '{symbol}' (in .symtab or .dynsym)", nameof(symbol));
    }
}
