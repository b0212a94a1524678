using System.Buffers.Binary;
using Ebpf.Object;
using Ebpf.TestSupport;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Damage the object fuzz test found refused by the reader's catch-all (or by the dump printer crashing), kept as
/// regular tests: each is now refused by a check whose one line names the problem, and <c>ebpf dump</c> prints that line.</summary>
public class ObjectFindingsTests
{
    static ObjectSeeds.Seed Clang => ObjectSeeds.All.Single(s => s.Name == "clang maps_globals.c");

    static string Refusal(byte[] bytes)
    {
        var message = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.Read(bytes, "x.o")).Message;
        Assert.Null(MessageRules.Problem(message));
        Assert.DoesNotContain("malformed eBPF object", message);
        var path = Path.Combine(Directory.CreateTempSubdirectory("ebpf-fuzz-").FullName, "x.o");
        ObjectFuzzTests.Dump(bytes, path, message, "finding");
        return message;
    }

    static byte[] Edit(ObjectSeeds.Seed seed, Action<byte[], SeedLayout> edit)
    {
        var bytes = (byte[])seed.Bytes.Clone();
        edit(bytes, seed.Layout);
        return bytes;
    }

    [Fact]
    public void Unknown_ELF_version() => Assert.Equal("x.o: unknown ELF version 3 (expected 1)",
        Refusal(Edit(Clang, (f, _) => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(20), 3))));

    [Fact]
    public void Program_header_table_outside_the_file() => Assert.StartsWith("x.o: program header table [1048576, +1 x 56 bytes) lies outside the",
        Refusal(Edit(Clang, (f, _) =>
        {
            BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(32), 1 << 20);   // e_phoff
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(54), 56);        // e_phentsize
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(56), 1);         // e_phnum
        })));

    [Fact]
    public void Symbol_name_outside_the_symbol_string_table() => Assert.Matches(@"^x\.o: symbol 1 has name offset 16777215 outside the \d+-byte symbol string table$",
        Refusal(Edit(Clang, (f, layout) => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((int)layout.Symbols.Single().Offset + 24), 0xffffff))));

    [Fact]
    public void Name_of_section_0_outside_the_section_name_table() => Assert.Equal("x.o: section 0 has name offset 16777215 outside the section name table",
        Refusal(Edit(Clang, (f, layout) => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((int)layout.Sections[0].HeaderAt), 0xffffff))));

    [Fact]
    public void Bss_larger_than_a_data_section_can_be()
    {
        var bss = Clang.Layout.Named(".bss")!;
        Assert.Equal($"x.o: section {bss.Index} (no bits in the file) claims 4294967296 bytes, more than a data section can hold (2147483647)",
            Refusal(Edit(Clang, (f, _) => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan((int)bss.HeaderAt + 32), 1UL << 32))));
    }

    /// <summary>clang leaves DATASEC offsets 0 for the loader to take from the symbols: a symbol value beyond its section.</summary>
    [Fact]
    public void Global_whose_symbol_lies_outside_its_data_section() => Assert.Equal(
        "x.o: .BTF: DATASEC '.data': VAR 'seen' at offset 4294967312 (its ELF symbol's value) with size 8 lies outside the 8-byte section",
        Refusal(Edit(Clang, (f, layout) => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(SymbolField(f, layout, "seen", 8)), 0x1_0000_0010))));

    /// <summary>Our objects give DATASEC offsets themselves: an entry beyond the section (ebpf dump's printer crashed on it).</summary>
    [Fact]
    public void Datasec_entry_outside_its_section()
    {
        var seed = ObjectSeeds.All.First(s => s.Name.StartsWith("ours", StringComparison.Ordinal) && DatasecEntry(s.Layout, s.Bytes) > 0);
        Assert.Matches(@"^x\.o: \.BTF: DATASEC '[.\w]+': the entry of type \[\d+\] at offset 4294967295 with size \d+ lies outside the \d+-byte section$",
            Refusal(Edit(seed, (f, layout) => BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((int)DatasecEntry(layout, f) + 4), uint.MaxValue))));
    }

    [Fact]
    public void Map_value_type_larger_than_4_GiB()
    {
        var path = ClangBpf.CompileSource("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct {
              __uint(type, BPF_MAP_TYPE_ARRAY);
              __uint(max_entries, 1);
              __type(key, __u32);
              __type(value, __u64[0x20000000]);
            } huge SEC(".maps");
            SEC("xdp") int run(struct xdp_md *ctx) { return XDP_PASS; }
            char LICENSE[] SEC("license") = "GPL";
            """, "huge");
        Assert.Equal("x.o: map 'huge': the value type is larger than 4 GiB", Refusal(File.ReadAllBytes(path)));
    }

    /// <summary>Mutants of the 200,000-mutant run, replayed: an inactive (SHT_NULL) section read by name with an offset
    /// outside the file; a dynamic symbol table (SHT_DYNSYM) whose names ELFSharp read; a relocation message quoting
    /// names with control characters from a corrupt string table (several lines). Each is read or refused with one line
    /// (<see cref="ObjectFuzzTests.Read(byte[], string)"/>), and ebpf dump agrees.</summary>
    [Theory]
    [InlineData("ours XdpFilter.bpf.o + SectionHeaderField(1365557,957,191) + InterestingBytes(924961,831,353) + BtfHeaderField(2058844,963,247)")]
    [InlineData("ours XdpFilter.bpf.o + SectionHeaderField(71544203,942,405) + BitFlip(7171735,930,124) + StringTableByte(94,874,623)")]
    [InlineData("ours MapArrayOfMaps.bpf.o + InterestingBytes(1429,150,954) + BtfTypeWord(2489,602,470)")]
    public void Mutants_found_by_the_long_run(string mutant)
    {
        var bytes = ObjectMutant.Parse(mutant).Bytes();
        var refusal = ObjectFuzzTests.Read(bytes, mutant);
        ObjectFuzzTests.Dump(bytes, Path.Combine(Directory.CreateTempSubdirectory("ebpf-fuzz-").FullName, "x.o"), refusal, mutant);
    }

    [Fact]
    public void Symbol_name_outside_the_string_table_of_a_dynamic_symbol_table() => Assert.Matches(@"^x\.o: symbol 1 has name offset 16777215 outside the \d+-byte symbol string table$",
        Refusal(Edit(Clang, (f, layout) =>
        {
            var symtab = layout.Symbols.Single();
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((int)symtab.HeaderAt + 4), 11);   // SHT_DYNSYM
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((int)symtab.Offset + 24), 0xffffff);
        })));

    /// <summary>File offset of field <paramref name="at"/> of the symbol named <paramref name="name"/>.</summary>
    static int SymbolField(byte[] f, SeedLayout layout, string name, int at)
    {
        var symtab = layout.Symbols.Single();
        var strings = layout.Sections[(int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)symtab.HeaderAt + 40))];
        for (long entry = symtab.Offset; entry < symtab.Offset + symtab.Size; entry += 24)
        {
            int nameAt = (int)(strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)entry)));
            int end = Array.IndexOf(f, (byte)0, nameAt);
            if (System.Text.Encoding.ASCII.GetString(f, nameAt, end - nameAt) == name) return (int)entry + at;
        }
        throw new InvalidOperationException($"no symbol {name}");
    }

    /// <summary>File offset of the first member of the first DATASEC with members, or -1.</summary>
    static long DatasecEntry(SeedLayout layout, byte[] f)
    {
        foreach (var (start, end) in layout.BtfTypes)
        {
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)start + 4));
            if ((info >> 24 & 0x1f) == 15 && (info & 0xffff) > 0) return start + 12;
        }
        return -1;
    }
}
