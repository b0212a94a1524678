using Ebpf.Object.Elf;

namespace Ebpf.Object;

// CONTRACT. Implementation: object helper.

/// <summary>Parses an EM_BPF relocatable ELF (ours or clang's) into an ObjectSpec, without syscalls.</summary>
/// <remarks>Reads what libbpf 1.1 reads: programs (sized STT_FUNC symbols of executable sections; <c>.text</c>
/// functions become sub-programs), BTF-defined maps of <c>.maps</c>, <c>.data/.rodata/.bss</c> sections,
/// <c>license</c>, <c>version</c>, <c>.BTF</c> (with DATASEC sizes and offsets filled in as libbpf does) and
/// <c>.BTF.ext</c>. Relocated instructions come back in the canonical form <see cref="ElfObjectWriter"/> writes.
/// Calls of kfuncs (extern functions) become <see cref="RelocationKind.Kfunc"/> relocations the loader resolves against
/// the kernel's BTF, addresses of typed ksyms (extern variables in <c>.ksyms</c>) <see cref="RelocationKind.Ksym"/> ones,
/// kconfig variables references to the <c>.kconfig</c> section; untyped ksyms and map-in-map initialisers are reported as unsupported.</remarks>
public static class ElfObjectReader
{
    /// <summary>Throws <see cref="ObjectFormatException"/> with one clear line for a truncated, non-ELF or non-BPF file.</summary>
    public static ObjectSpec Read(ReadOnlySpan<byte> elf) => Read(elf, "<memory>");

    /// <summary>As <see cref="Read(ReadOnlySpan{byte})"/>; <paramref name="name"/> starts every error message.</summary>
    public static ObjectSpec Read(ReadOnlySpan<byte> elf, string name)
    {
        var bytes = elf.ToArray();
        try
        {
            return ElfObjectParser.Parse(ElfObjectFile.Open(bytes, name));
        }
        catch (ObjectFormatException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ELFSharp or a decoder met something the checks did not foresee: still one line naming the kind of damage,
            // never a stack trace or a .NET type name.
            throw new ObjectFormatException($"{name}: malformed eBPF object: {Describe(e)}", e);
        }
    }

    public static ObjectSpec ReadFile(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ObjectFormatException($"{path}: cannot read: {FirstLine(e.Message)}");
        }
        return Read(bytes, path);
    }

    /// <summary>Parses an object embedded as manifest resource <paramref name="resourceName"/> of <paramref name="assembly"/>
    /// (how the build embeds <c>&lt;Class&gt;.bpf.o</c>).</summary>
    public static ObjectSpec ReadEmbedded(System.Reflection.Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new ObjectFormatException($"{resourceName}: no such embedded resource in {assembly.GetName().Name} (was the project built with the eBPF build targets?)");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Read(buffer.ToArray(), resourceName);
    }

    static string FirstLine(string s) => s.Split('\n')[0].TrimEnd('\r');

    /// <summary>What an unforeseen failure inside the reader says about the file.</summary>
    static string Describe(Exception e) => e switch
    {
        IndexOutOfRangeException or ArgumentOutOfRangeException or EndOfStreamException
            => "an offset or size in it points outside the file or its section",
        OverflowException or ArithmeticException => "a size or count in it is too large",
        ArgumentException or FormatException or InvalidOperationException or InvalidCastException or KeyNotFoundException
            => "its headers or tables contradict each other",
        _ => "it could not be decoded",
    };
}

/// <summary>A file that is not a well-formed eBPF object. The message is one line naming the file and the problem; an
/// <see cref="Exception.InnerException"/> is the reader's own failure on damage its checks did not foresee (for bug reports).</summary>
public sealed class ObjectFormatException(string message, Exception? inner = null) : Exception(message, inner);
