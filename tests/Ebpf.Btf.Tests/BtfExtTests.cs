using System.Buffers.Binary;
using Ebpf.Btf.Tests.Support;

namespace Ebpf.Btf.Tests;

public class BtfExtTests
{
    static (BtfSpec Btf, BtfFunc Main, BtfFunc Helper) SampleBtf(params string[] strings)
    {
        var i = new BtfInt("int", 4, true);
        var main = new BtfFunc("main", new BtfFuncProto(i, new[] { new BtfParameter("ctx", new BtfPointer(BtfVoid.Instance)) }), BtfFuncLinkage.Global);
        var helper = new BtfFunc("helper", new BtfFuncProto(i, Array.Empty<BtfParameter>()), BtfFuncLinkage.Static);
        var b = new BtfBuilder();
        b.Add(main);
        b.Add(helper);
        foreach (var s in strings) b.AddString(s);
        return (b.Build(), main, helper);
    }

    static IReadOnlyList<BtfExtSection> SampleSections(BtfFunc main, BtfFunc helper) => new[]
    {
        new BtfExtSection("xdp", new[] { new BtfFuncInfo(0, main) }, new[]
        {
            new BtfLineInfo(0, "/src/Probe.cs", "int x = 1;", 8, 2),
            new BtfLineInfo(3, "/src/Probe.cs", "return x;", 9, 5),
        }),
        new BtfExtSection(".text", new[] { new BtfFuncInfo(0, helper), new BtfFuncInfo(4, helper) }, new[]
        {
            new BtfLineInfo(0, "/src/Probe.cs", "", 20, 1),
            new BtfLineInfo(4, "/src/Probe.cs", "", 21, 1),
        }),
    };

    [Fact]
    public void Encoding_has_clangs_layout_with_byte_offsets()
    {
        var (btf, main, helper) = SampleBtf("xdp", ".text", "/src/Probe.cs", "int x = 1;", "return x;");
        var bytes = BtfExt.Encode(SampleSections(main, helper), btf);
        var w = Words(bytes);
        // header: magic/version/flags, hdr_len 32, func off 0 len 4+(8+8)+(8+16)=44, line off 44 len 4+(8+32)+(8+32)=84, core off 128 len 0
        Assert.Equal(new uint[] { 0x0001eb9f, 32, 0, 44, 44, 84, 128, 0 }, w[..8]);
        Assert.Equal(32 + 44 + 84, bytes.Length);
        // func_info: rec size 8; "xdp": 1 record (off 0, main); ".text": 2 records (0 and 4 slots = 32 bytes)
        Assert.Equal(new uint[] { 8, btf.FindString("xdp")!.Value, 1, 0, (uint)btf.IdOf(main),
            btf.FindString(".text")!.Value, 2, 0, (uint)btf.IdOf(helper), 32, (uint)btf.IdOf(helper) }, w[8..19]);
        // first line_info of xdp: rec size 16, section, count 2, off 0, file, text, line 8 << 10 | col 2
        Assert.Equal(new uint[] { 16, btf.FindString("xdp")!.Value, 2, 0, btf.FindString("/src/Probe.cs")!.Value,
            btf.FindString("int x = 1;")!.Value, (8u << 10) | 2 }, w[19..26]);
        Assert.Equal(24u, w[26]);   // second record at slot 3 = byte 24
    }

    [Fact]
    public void Parse_returns_what_was_encoded()
    {
        var (btf, main, helper) = SampleBtf("xdp", ".text", "/src/Probe.cs", "int x = 1;", "return x;");
        var sections = SampleSections(main, helper);
        var parsed = BtfExt.Parse(BtfExt.Encode(sections, btf), btf);
        Assert.Equal(2, parsed.Count);
        for (int i = 0; i < sections.Count; i++)
        {
            Assert.Equal(sections[i].SectionName, parsed[i].SectionName);
            Assert.Equal(sections[i].FuncInfos, parsed[i].FuncInfos);
            Assert.Equal(sections[i].LineInfos, parsed[i].LineInfos);
        }
        Assert.Same(main, parsed[0].FuncInfos[0].Func);
    }

    [Fact]
    public void Clang_BTF_ext_parses_and_reencodes_to_the_same_bytes()
    {
        var obj = ClangBpf.Compile(CSources.Maps, "maps");
        var btf = BtfSpec.Parse(ClangBpf.DumpSection(obj, ".BTF"));
        var ext = ClangBpf.DumpSection(obj, ".BTF.ext");
        var sections = BtfExt.Parse(ext, btf);
        var text = sections.Single(s => s.SectionName == ".text");
        var xdp = sections.Single(s => s.SectionName == "xdp");
        Assert.Equal("add_static", Assert.Single(text.FuncInfos).Func.Name);
        Assert.Equal("xdp_count", Assert.Single(xdp.FuncInfos).Func.Name);
        Assert.Equal(0, xdp.LineInfos[0].InstructionOffset);
        Assert.EndsWith("maps.c", xdp.LineInfos[0].FileName);
        Assert.Contains(xdp.LineInfos, l => l.LineText.Contains("bpf_map_lookup_elem(&counts, &k)"));
        Assert.Equal(ext, BtfExt.Encode(sections, btf));
    }

    [Fact]
    public void Missing_string_is_reported_and_WithStrings_supplies_it()
    {
        var (btf, main, helper) = SampleBtf();
        var sections = SampleSections(main, helper);
        var ex = Assert.Throws<ArgumentException>(() => BtfExt.Encode(sections, btf));
        Assert.Contains("'xdp' is not in the BTF string section", ex.Message);
        var extended = btf.WithStrings(BtfExt.RequiredStrings(sections));
        Assert.Same(btf.Types[1], extended.Types[1]);
        Assert.Equal(BtfDump.Format(btf), BtfDump.Format(BtfSpec.Parse(extended.RawBytes)));
        var parsed = BtfExt.Parse(BtfExt.Encode(sections, extended), extended);
        Assert.Equal(sections[1].LineInfos, parsed[1].LineInfos);
        Assert.Same(extended, extended.WithStrings(new[] { "xdp" }));
    }

    [Fact]
    public void Columns_beyond_the_10_bit_field_are_clamped_not_corrupting_the_line()
    {
        var (btf, main, _) = SampleBtf("xdp", "f.cs");
        var s = new BtfExtSection("xdp", new[] { new BtfFuncInfo(0, main) }, new[] { new BtfLineInfo(0, "f.cs", "", 7, 5000) });
        var line = BtfExt.Parse(BtfExt.Encode(new[] { s }, btf), btf)[0].LineInfos[0];
        Assert.Equal((7, 1023), (line.Line, line.Column));
    }

    [Fact]
    public void Truncated_or_corrupt_BTF_ext_is_a_BtfFormatException()
    {
        var (btf, main, helper) = SampleBtf("xdp", ".text", "/src/Probe.cs", "int x = 1;", "return x;");
        var bytes = BtfExt.Encode(SampleSections(main, helper), btf);
        for (int len = 0; len < bytes.Length; len++)
        {
            var ex = Assert.Throws<BtfFormatException>(() => BtfExt.Parse(bytes.AsSpan(0, len), btf));
            Assert.StartsWith("invalid .BTF.ext: ", ex.Message);
        }
        var bad = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(32 + 4 + 8 + 4), 99);   // func_info type id
        Assert.Equal("invalid .BTF.ext: func_info in 'xdp' refers to type [99], which is not a FUNC",
            Assert.Throws<BtfFormatException>(() => BtfExt.Parse(bad, btf)).Message);
        var rng = new Random(7);
        for (int round = 0; round < 2000; round++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
            try { BtfExt.Parse(copy, btf); }
            catch (BtfFormatException) { }
        }
    }

    static uint[] Words(byte[] b) => Enumerable.Range(0, b.Length / 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4 * i))).ToArray();
}
