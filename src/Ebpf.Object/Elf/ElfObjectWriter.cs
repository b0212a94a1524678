namespace Ebpf.Object;

// CONTRACT. Implementation: object helper.

/// <summary>Writes an ObjectSpec as an ELF64 little-endian EM_BPF relocatable object that libbpf
/// (bpftool), llvm-objdump and our reader accept: program sections, .text, .maps, .rodata/.data/.bss,
/// license, .BTF, .BTF.ext, .symtab/.strtab, .rel* sections.</summary>
public static class ElfObjectWriter
{
    public static byte[] Write(ObjectSpec spec) => throw new NotImplementedException();
}
