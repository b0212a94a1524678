using System.Buffers.Binary;
using Ebpf.Object.Tests.Support;

namespace Ebpf.Object.Tests.Elf;

/// <summary>Bad input gets one line naming the file and the problem, never another exception.</summary>
public class ElfObjectReaderMalformedTests
{
    static byte[] Sample() => ElfObjectWriter.Write(SampleObjects.XdpAndTracepoint());

    static ObjectFormatException Fails(byte[] bytes)
    {
        var ex = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.Read(bytes, "x.o"));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("x.o: ", ex.Message);
        return ex;
    }

    [Fact]
    public void Empty_file() => Assert.Equal("x.o: empty file, not an ELF object", Fails(Array.Empty<byte>()).Message);

    [Fact]
    public void Not_an_ELF_file() => Assert.Equal("x.o: not an ELF file (bad magic)", Fails("#!/bin/sh\necho hi\n"u8.ToArray()).Message);

    [Fact]
    public void ELF32()
    {
        var f = Sample();
        f[4] = 1;
        Assert.Equal("x.o: 32-bit ELF (ELFCLASS32); eBPF objects are ELF64", Fails(f).Message);
    }

    [Fact]
    public void Other_machine_from_a_real_x86_object()
    {
        var dir = Tools.TempDir();
        File.WriteAllText(Path.Combine(dir, "a.c"), "int f(void) { return 1; }\n");
        Tools.MustRun("gcc", "-c", Path.Combine(dir, "a.c"), "-o", Path.Combine(dir, "a.o"));
        var ex = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.ReadFile(Path.Combine(dir, "a.o")));
        Assert.Equal($"{Path.Combine(dir, "a.o")}: ELF machine is x86-64 (62), not BPF (247)", ex.Message);
    }

    [Fact]
    public void Section_offset_beyond_the_file()
    {
        var f = Sample();
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(40));
        BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan((int)shoff + 3 * 64 + 24), 0x10_0000);   // section 3 (xdp) sh_offset
        Assert.Equal($"x.o: section 3 [1048576, +128) lies outside the {f.Length}-byte file (truncated or corrupt)", Fails(f).Message);
    }

    [Fact]
    public void Missing_file_names_it()
    {
        var ex = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.ReadFile("/nonexistent/probe.o"));
        Assert.StartsWith("/nonexistent/probe.o: cannot read: ", ex.Message);
    }

    [Fact]
    public void Every_truncation_fails_cleanly()
    {
        var f = Sample();
        for (int len = 0; len < f.Length; len++) Fails(f[..len]);
    }

    [Fact]
    public void Random_corruption_fails_cleanly_or_reads()
    {
        var f = Sample();
        var rng = new Random(99);
        int failures = 0;
        for (int round = 0; round < 1500; round++)
        {
            var copy = (byte[])f.Clone();
            for (int i = 0, n = 1 + rng.Next(3); i < n; i++) copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
            try { ElfObjectReader.Read(copy, "x.o"); }
            catch (ObjectFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                failures++;
            }
        }
        Assert.True(failures > 0);
    }

    [Fact]
    public void Legacy_maps_section_is_refused_like_libbpf()
    {
        var f = Sample();
        // Rename ".maps" to "maps" in the string table (the name ends with the same bytes).
        int at = IndexOf(f, "\0.maps\0"u8.ToArray());
        f[at + 1] = (byte)'m'; f[at + 2] = (byte)'a'; f[at + 3] = (byte)'p'; f[at + 4] = (byte)'s'; f[at + 5] = 0;
        Assert.StartsWith("x.o: legacy map definitions in section 'maps' are not supported", Fails(f).Message);
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
            if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }
}
