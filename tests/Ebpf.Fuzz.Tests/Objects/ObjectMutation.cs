using System.Buffers.Binary;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>One edit of an object file, aimed by <see cref="SeedLayout"/>: bit flips, interesting values over bytes,
/// truncation, and field edits of the ELF header, section headers, symbols, relocations, string tables, the BTF header,
/// BTF type records and .BTF.ext. Any integers make a valid edit (taken modulo what they index), so CsCheck's
/// shrinking gives a minimal mutant.</summary>
public sealed record ObjectMutation(ObjectMutation.Kind Edit, uint At, uint Value, uint Field)
{
    public enum Kind
    {
        BitFlip, InterestingBytes, Truncate, ElfHeaderField, SectionHeaderField, SymbolField, RelocationField,
        StringTableByte, BtfHeaderField, BtfTypeWord, BtfTypeInfo, BtfExtWord,
    }

    /// <summary>Values that sit on the edges decoders get wrong: zero, sign and width limits, sizes near the file's.</summary>
    static ulong Interesting(uint index, long fileLength) => (index % 20) switch
    {
        0 => 0, 1 => 1, 2 => 0xff, 3 => 0x7f, 4 => 0x80, 5 => 0xffff, 6 => 0x7fff, 7 => 0x8000, 8 => 0x7fffffff,
        9 => 0x80000000, 10 => 0xffffffff, 11 => ulong.MaxValue, 12 => (ulong)fileLength, 13 => (ulong)fileLength + 1,
        14 => 8, 15 => 24, 16 => 64, 17 => 70000, 18 => 0x1_0000_0000, _ => (ulong)fileLength - 1,
    };

    public byte[] Apply(byte[] bytes, SeedLayout seed)
    {
        if (bytes.Length == 0) return bytes;
        var f = (byte[])bytes.Clone();
        ulong value = Interesting(Value, f.Length);
        switch (Edit)
        {
            case Kind.BitFlip:
                f[At % f.Length] ^= (byte)(1 << (int)(Value % 8));
                break;
            case Kind.InterestingBytes:
                Write(f, At % f.Length, (int)(1u << (int)(Field % 4)), value);
                break;
            case Kind.Truncate:
                return f[..(int)(At % f.Length)];
            case Kind.ElfHeaderField:
            {
                // e_type 16, e_machine 18, e_version 20, e_shoff 40 (8), e_flags 48, e_ehsize 52, e_shentsize 58, e_shnum 60, e_shstrndx 62
                (int at, int width) = (Field % 9) switch
                {
                    0 => (16, 2), 1 => (18, 2), 2 => (20, 4), 3 => (40, 8), 4 => (48, 4), 5 => (52, 2), 6 => (58, 2), 7 => (60, 2), _ => (62, 2),
                };
                Write(f, at, width, Field / 9 % 2 == 0 ? value : Read(f, at, width) + (Value % 5) - 2);
                break;
            }
            case Kind.SectionHeaderField:
            {
                var s = seed.Sections[(int)(At % seed.Sections.Count)];
                // sh_name 0, sh_type 4, sh_flags 8 (8), sh_addr 16 (8), sh_offset 24 (8), sh_size 32 (8), sh_link 40, sh_info 44, sh_addralign 48 (8), sh_entsize 56 (8)
                (int at, int width) = (Field % 10) switch
                {
                    0 => (0, 4), 1 => (4, 4), 2 => (8, 8), 3 => (16, 8), 4 => (24, 8), 5 => (32, 8), 6 => (40, 4), 7 => (44, 4), 8 => (48, 8), _ => (56, 8),
                };
                long where = s.HeaderAt + at;
                Write(f, where, width, Field / 10 % 2 == 0 ? value : Read(f, where, width) + (Value % 9) - 4);
                break;
            }
            case Kind.SymbolField:
            case Kind.RelocationField:
            {
                var tables = (Edit == Kind.SymbolField ? seed.Symbols : seed.Relocations).ToList();
                if (tables.Count == 0) goto case Kind.InterestingBytes;
                var table = tables[(int)(Field % tables.Count)];
                int entry = Edit == Kind.SymbolField ? 24 : 16;
                long count = Math.Max(1, table.Size / entry);
                long where = table.Offset + At % count * entry;
                // Elf64_Sym: st_name 0 (4), st_info 4 (1), st_other 5, st_shndx 6 (2), st_value 8 (8), st_size 16 (8)
                // Elf64_Rel: r_offset 0 (8), r_info 8 (8): symbol in the high 32 bits, type in the low
                (int at, int width) = Edit == Kind.SymbolField
                    ? (Field / 7 % 5) switch { 0 => (0, 4), 1 => (4, 1), 2 => (6, 2), 3 => (8, 8), _ => (16, 8) }
                    : (Field / 7 % 3) switch { 0 => (0, 8), 1 => (12, 4), _ => (8, 4) };
                Write(f, where + at, width, Value % 3 == 0 ? Read(f, where + at, width) + Value % 7 : value);
                break;
            }
            case Kind.StringTableByte:
            {
                if (seed.StringTables.Count == 0) goto case Kind.InterestingBytes;
                var (start, end) = seed.StringTables[(int)(Field % seed.StringTables.Count)];
                if (end <= start) break;
                // a NUL removed runs two names together; a NUL added cuts one short; other bytes make names that exist nowhere
                f[Math.Min(f.Length - 1, start + At % (end - start))] = (Value % 4) switch { 0 => 0, 1 => (byte)'A', 2 => (byte)'.', _ => 0xff };
                break;
            }
            case Kind.BtfHeaderField:
            {
                if (seed.BtfHeaderAt < 0) goto case Kind.InterestingBytes;
                // magic 0 (2), version 2 (1), flags 3 (1), hdr_len 4, type_off 8, type_len 12, str_off 16, str_len 20
                (int at, int width) = (Field % 8) switch { 0 => (0, 2), 1 => (2, 1), 2 => (3, 1), 3 => (4, 4), 4 => (8, 4), 5 => (12, 4), 6 => (16, 4), _ => (20, 4) };
                long where = seed.BtfHeaderAt + at;
                Write(f, where, width, Field / 8 % 2 == 0 ? value : Read(f, where, width) + (Value % 9) - 4);
                break;
            }
            case Kind.BtfTypeWord:
            {
                if (seed.BtfTypes.Count == 0) goto case Kind.InterestingBytes;
                var (start, end) = seed.BtfTypes[(int)(At % seed.BtfTypes.Count)];
                long where = start + Field % ((end - start) / 4) * 4;
                Write(f, where, 4, Value % 3 == 0 ? Read(f, where, 4) + Value % 5 : value);
                break;
            }
            case Kind.BtfTypeInfo:
            {
                if (seed.BtfTypes.Count == 0) goto case Kind.InterestingBytes;
                var (start, _) = seed.BtfTypes[(int)(At % seed.BtfTypes.Count)];
                uint info = (uint)Read(f, start + 4, 4);
                // another kind (0-31), another member count, or the kind flag flipped
                info = (Field % 3) switch
                {
                    0 => (info & ~(0x1fu << 24)) | ((Value % 32) << 24),
                    1 => (info & ~0xffffu) | (uint)(value & 0xffff),
                    _ => info ^ 0x8000_0000u,
                };
                Write(f, start + 4, 4, info);
                break;
            }
            case Kind.BtfExtWord:
            {
                if (seed.Named(".BTF.ext") is not { Size: >= 4 } ext) goto case Kind.InterestingBytes;
                long where = ext.Offset + At % (ext.Size / 4) * 4;
                Write(f, where, 4, Value % 3 == 0 ? Read(f, where, 4) + Value % 5 : value);
                break;
            }
        }
        return f;
    }

    static ulong Read(byte[] f, long at, int width)
    {
        if (at < 0 || at + width > f.Length) return 0;
        var s = f.AsSpan((int)at, width);
        return width switch { 1 => s[0], 2 => BinaryPrimitives.ReadUInt16LittleEndian(s), 4 => BinaryPrimitives.ReadUInt32LittleEndian(s), _ => BinaryPrimitives.ReadUInt64LittleEndian(s) };
    }

    static void Write(byte[] f, long at, int width, ulong value)
    {
        if (at < 0) return;
        width = (int)Math.Min(width, f.Length - at);
        for (int i = 0; i < width; i++) f[at + i] = (byte)(value >> (8 * i));
    }

    public override string ToString() => $"{Edit}({At},{Value},{Field})";
}
