namespace Ebpf.Object.Elf;

/// <summary>The ELF numbers an eBPF relocatable object uses (elf.h, and LLVM's BPF relocation types).</summary>
internal static class ElfConstants
{
    public const ushort EM_BPF = 247;
    public const ushort ET_REL = 1;
    public const byte ELFCLASS64 = 2, ELFCLASS32 = 1;
    public const byte ELFDATA2LSB = 1;
    public const byte EV_CURRENT = 1;
    public const int HeaderSize = 64, SectionHeaderSize = 64, ProgramHeaderSize = 56, SymbolSize = 24, RelSize = 16;

    public const uint SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11;
    public const ulong SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4, SHF_INFO_LINK = 0x40;

    public const ushort SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;

    public const byte STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    public const byte STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
    public const byte STV_DEFAULT = 0;

    public static byte SymbolInfo(byte binding, byte type) => (byte)((binding << 4) | (type & 0xf));

    /// <summary>ld_imm64 of a map, global data or a function address: S + A into slot 0's imm.</summary>
    public const uint R_BPF_64_64 = 1;
    /// <summary>64-bit data (.rel.maps initialisers).</summary>
    public const uint R_BPF_64_ABS64 = 2;
    /// <summary>BPF-to-BPF or kfunc call: (S + A) / 8 - 1 into the call's imm.</summary>
    public const uint R_BPF_64_32 = 10;
}
