using Ebpf.Object.Elf;

namespace Ebpf.Object;

// CONTRACT. Implementation: object helper.

/// <summary>Writes an ObjectSpec as an ELF64 little-endian EM_BPF relocatable object that libbpf
/// (bpftool), llvm-objdump and our reader accept: program sections, .text, .maps, .rodata/.data/.bss,
/// license, .BTF, .BTF.ext, .symtab/.strtab, .rel* sections.</summary>
/// <remarks>Layout follows clang: <c>.strtab</c>, <c>.text</c>, each program section followed by its
/// <c>.rel</c> section, <c>.maps</c>, data sections, <c>license</c>, <c>.BTF</c>, <c>.BTF.ext</c>, <c>.symtab</c>.
/// Relocated instructions are written in clang's form (see <see cref="RelocationKind"/>): ld_imm64 with src 0
/// against a map symbol (imm 0) or a data section's section symbol (imm = byte offset), calls with imm -1
/// against the callee's FUNC symbol. Missing .BTF.ext strings are appended to the BTF string section.</remarks>
public static class ElfObjectWriter
{
    /// <summary>Throws <see cref="InvalidObjectSpecException"/> (one line) when the spec cannot be written.</summary>
    public static byte[] Write(ObjectSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ElfObjectEmitter(spec).Emit();
    }

    public static void WriteFile(ObjectSpec spec, string path) => File.WriteAllBytes(path, Write(spec));
}

/// <summary>An ObjectSpec that cannot be written as an object file (dangling relocation, map without BTF...). One line.</summary>
public sealed class InvalidObjectSpecException(string message) : InvalidOperationException(message);
