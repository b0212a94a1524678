using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Runtime;

/// <summary>One USDT probe site from an ELF file's <c>.note.stapsdt</c> (what <c>&lt;sys/sdt.h&gt;</c>'s
/// <c>DTRACE_PROBE</c>/<c>STAP_PROBE</c> macros emit).</summary>
/// <param name="Address">The probe's nop, as a virtual address of the file (prelink adjustment applied).</param>
/// <param name="FileOffset">Where that nop lies in the file: the uprobe offset.</param>
/// <param name="SemaphoreAddress">The 16-bit semaphore the program tests before firing the probe; 0 when there is none.</param>
/// <param name="SemaphoreFileOffset">The semaphore's file offset (the uprobe's reference counter offset); 0 when none.</param>
/// <param name="Arguments">The argument spec string, e.g. <c>-4@%edx 8@8(%rsp)</c>.</param>
public sealed record UsdtProbe(string Provider, string Name, ulong Address, ulong FileOffset, ulong SemaphoreAddress,
    ulong SemaphoreFileOffset, string Arguments);

/// <summary>Reads the USDT notes of an executable or shared object (the stapsdt note format: owner <c>stapsdt</c>, type 3,
/// a descriptor of three addresses - probe, <c>_.stapsdt.base</c>, semaphore - and three NUL-terminated strings:
/// provider, name, arguments).</summary>
/// <remarks>Addresses are link-time addresses; if prelink moved the file, <c>.stapsdt.base</c>'s address differs from
/// the base recorded in the note, and both the probe and the semaphore move by the difference. File offsets come from
/// the PT_LOAD segment holding each address (the executable one for the probe), as the kernel maps the file.</remarks>
public static class UsdtNotes
{
    const uint ShtNote = 7, PtLoad = 1, PfX = 1, NtStapsdt = 3;

    /// <summary>Every probe site in <paramref name="path"/> (empty when it has no <c>.note.stapsdt</c>).</summary>
    public static IReadOnlyList<UsdtProbe> Read(string path)
    {
        byte[] elf;
        try
        {
            elf = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read '{path}' for its USDT notes: {e.Message}", nameof(path), e);
        }
        try
        {
            return Parse(elf, path);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"'{path}' is a truncated or malformed ELF file (a header or note points outside it)", nameof(path));
        }
    }

    /// <summary>Whether the file is a position-independent executable or shared object (ET_DYN): its run-time addresses
    /// are the link-time ones plus where the process mapped it.</summary>
    internal static bool IsPositionIndependent(string path)
    {
        Span<byte> header = stackalloc byte[18];
        using var f = File.OpenRead(path);
        return f.Read(header) == 18 && BinaryPrimitives.ReadUInt16LittleEndian(header[16..]) == 3;
    }

    static IReadOnlyList<UsdtProbe> Parse(byte[] elf, string path)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || !span[..4].SequenceEqual("\u007fELF"u8))
            throw new ArgumentException($"'{path}' is not an ELF file", nameof(path));
        if (elf[4] != 2 || elf[5] != 1)
            throw new ArgumentException($"'{path}' is not a 64-bit little-endian ELF file", nameof(path));
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[40..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[54..]), phnum = BinaryPrimitives.ReadUInt16LittleEndian(span[56..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]), shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(span[62..]);

        var segments = new List<(ulong Offset, ulong VAddr, ulong MemSize, bool Executable)>();
        for (int i = 0; i < phnum; i++)
        {
            var p = span[checked((int)phoff + i * phentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(p) != PtLoad) continue;
            segments.Add((BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[40..]), (BinaryPrimitives.ReadUInt32LittleEndian(p[4..]) & PfX) != 0));
        }

        (uint Type, ulong Addr, ulong Offset, ulong Size) Section(int i)
        {
            var s = elf.AsSpan(checked((int)shoff + i * shentsize));
            return (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[24..]), BinaryPrimitives.ReadUInt64LittleEndian(s[32..]));
        }
        var names = Section(shstrndx);
        string SectionName(int i) => CString(elf, checked((int)(names.Offset + BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(checked((int)shoff + i * shentsize)))))).Text;

        (uint Type, ulong Addr, ulong Offset, ulong Size)? notes = null, baseSection = null;
        for (int i = 1; i < shnum; i++)
        {
            string name = SectionName(i);
            if (name == ".note.stapsdt" && Section(i).Type == ShtNote) notes = Section(i);
            else if (name == ".stapsdt.base") baseSection = Section(i);
        }
        var probes = new List<UsdtProbe>();
        if (notes is not { } n) return probes;

        ulong FileOffsetOf(ulong address, bool executable, string what) =>
            segments.FirstOrDefault(s => address >= s.VAddr && address < s.VAddr + s.MemSize && (!executable || s.Executable)) is { MemSize: > 0 } seg
                ? address - seg.VAddr + seg.Offset
                : throw new ArgumentException($"'{path}': the {what} at 0x{address:x} lies in no {(executable ? "executable " : "")}loadable segment", nameof(path));

        var notesSpan = span.Slice(checked((int)n.Offset), checked((int)n.Size));
        for (int at = 0; at + 12 <= notesSpan.Length;)
        {
            int nameSize = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(notesSpan[at..]));
            int descSize = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(notesSpan[(at + 4)..]));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notesSpan[(at + 8)..]);
            int nameAt = at + 12, descAt = nameAt + Align4(nameSize);
            at = descAt + Align4(descSize);
            if (type != NtStapsdt || !notesSpan.Slice(nameAt, nameSize).SequenceEqual("stapsdt\0"u8)) continue;
            var desc = notesSpan.Slice(descAt, descSize);
            if (desc.Length < 24 + 3)
                throw new ArgumentException($"'{path}': a stapsdt note's descriptor has {desc.Length} bytes, too few for three addresses and three strings", nameof(path));
            ulong pc = BinaryPrimitives.ReadUInt64LittleEndian(desc), noteBase = BinaryPrimitives.ReadUInt64LittleEndian(desc[8..]);
            ulong semaphore = BinaryPrimitives.ReadUInt64LittleEndian(desc[16..]);
            var provider = CString(desc, 24);
            var name = CString(desc, provider.End + 1);
            var arguments = CString(desc, name.End + 1);
            if (baseSection is { } b && noteBase != 0)
            {
                pc += b.Addr - noteBase;
                if (semaphore != 0) semaphore += b.Addr - noteBase;
            }
            ulong semaphoreOffset = semaphore == 0 ? 0 : FileOffsetOf(semaphore, false, $"semaphore of USDT {provider.Text}:{name.Text}");
            probes.Add(new UsdtProbe(provider.Text, name.Text, pc, FileOffsetOf(pc, true, $"USDT {provider.Text}:{name.Text}"), semaphore, semaphoreOffset, arguments.Text));
        }
        return probes;
    }

    static int Align4(int size) => checked((size + 3) & ~3);

    static (string Text, int End) CString(ReadOnlySpan<byte> bytes, int start)
    {
        int length = bytes[start..].IndexOf((byte)0);
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(bytes), "unterminated string");
        return (Encoding.UTF8.GetString(bytes.Slice(start, length)), start + length);
    }
}
