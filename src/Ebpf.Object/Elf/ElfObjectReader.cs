namespace Ebpf.Object;

// CONTRACT. Implementation: object helper.

/// <summary>Parses an EM_BPF relocatable ELF (ours or clang's) into an ObjectSpec, without syscalls.</summary>
public static class ElfObjectReader
{
    /// <summary>Throws <see cref="ObjectFormatException"/> with one clear line for a truncated, non-ELF or non-BPF file.</summary>
    public static ObjectSpec Read(ReadOnlySpan<byte> elf) => throw new NotImplementedException();
    public static ObjectSpec ReadFile(string path) => throw new NotImplementedException();
}

/// <summary>A file that is not a well-formed eBPF object. The message is one line naming the file and the problem.</summary>
public sealed class ObjectFormatException(string message) : Exception(message);
