using System.Buffers.Binary;
using Ebpf.Btf.Tests.Support;

namespace Ebpf.Btf.Tests;

public class BtfBuilderTests
{
    [Fact]
    public void Ids_follow_insertion_order_with_void_at_zero()
    {
        var b = new BtfBuilder();
        var i = new BtfInt("int", 4, true);
        var p = new BtfPointer(i);
        var pv = new BtfPointer(BtfVoid.Instance);
        Assert.Equal(1, b.Add(i));
        Assert.Equal(2, b.Add(p));
        Assert.Equal(3, b.Add(pv));
        Assert.Equal(1, b.Add(i));
        Assert.Equal(0, b.Add(BtfVoid.Instance));
        var spec = b.Build();
        Assert.Same(BtfVoid.Instance, spec[0]);
        Assert.Equal(4, spec.Types.Count);
        Assert.Equal("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n[2] PTR '(anon)' type_id=1\n[3] PTR '(anon)' type_id=0",
            BtfDump.Format(spec));
    }

    [Fact]
    public void Referenced_types_get_ids_depth_first_after_the_type_that_refers_to_them()
    {
        // The order clang gives min.o: PTR -> STRUCT xdp_md -> TYPEDEF __u32 -> INT.
        var u32 = new BtfInt("unsigned int", 4, false);
        var typedef = new BtfTypedef("__u32", u32);
        var md = new BtfStruct("xdp_md", 8);
        md.Members.Add(new BtfMember("data", typedef, 0));
        md.Members.Add(new BtfMember("data_end", typedef, 32));
        var b = new BtfBuilder();
        Assert.Equal(1, b.Add(new BtfPointer(md)));
        Assert.Equal(2, b.IdOf(md));
        Assert.Equal(3, b.IdOf(typedef));
        Assert.Equal(4, b.IdOf(u32));
    }

    [Fact]
    public void Self_referential_struct_gets_its_id_before_its_members_are_visited()
    {
        var node = new BtfStruct("node", 16);
        var next = new BtfPointer(node);
        node.Members.Add(new BtfMember("next", next, 0));
        node.Members.Add(new BtfMember("prev", next, 64));
        var b = new BtfBuilder();
        Assert.Equal(1, b.Add(node));
        Assert.Equal(2, b.IdOf(next));
        var spec = b.Build();
        Assert.Equal("[1] STRUCT 'node' size=16 vlen=2\n\t'next' type_id=2 bits_offset=0\n\t'prev' type_id=2 bits_offset=64\n[2] PTR '(anon)' type_id=1",
            BtfDump.Format(spec));
    }

    [Fact]
    public void Build_returns_a_spec_made_of_the_builders_own_objects()
    {
        var s = new SampleTypes();
        var b = s.NewBuilder();
        var spec = b.Build();
        for (int id = 0; id < b.Count; id++)
        {
            Assert.Same(b.Types[id], spec[id]);
            Assert.Equal(id, spec.IdOf(b.Types[id]));
        }
        Assert.Equal(b.IdOf(s.Func), spec.IdOf(s.Func));
        Assert.Same(s.Datasec, spec.FindType<BtfDatasec>(".data"));
        Assert.Throws<ArgumentException>(() => spec.IdOf(new BtfInt("int", 4, true)));
    }

    [Fact]
    public void Strings_are_stored_once_and_AddString_offsets_stay_valid()
    {
        var b = new BtfBuilder();
        uint file = b.AddString("/src/probe.cs");
        Assert.Equal(file, b.AddString("/src/probe.cs"));
        var a = new BtfInt("int", 4, true);
        var c = new BtfTypedef("int", a);   // same name, different kind
        b.Add(c);
        var spec = b.Build();
        Assert.Equal("/src/probe.cs", spec.GetString(file));
        Assert.Equal(file, spec.FindString("/src/probe.cs"));
        var raw = spec.RawBytes;
        uint nameOfTypedef = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(24));
        uint nameOfInt = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(24 + 12));
        Assert.Equal(nameOfInt, nameOfTypedef);
        // string section: "\0/src/probe.cs\0int\0"
        Assert.Equal(1 + "/src/probe.cs".Length + 1 + "int".Length + 1, BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(20)));
    }

    [Fact]
    public void Header_and_records_have_the_kernel_layout()
    {
        var b = new BtfBuilder();
        b.Add(new BtfPointer(new BtfInt("int", 4, true)));
        var raw = b.Build().RawBytes;
        // magic 0xeb9f, version 1, flags 0, hdr_len 24, type_off 0, type_len 12 + 16, str_off 28, str_len 5
        Assert.Equal("9feb0100 18000000 00000000 1c000000 1c000000 05000000", Hex(raw.AsSpan(0, 24)));
        // [1] PTR -> 2 ; [2] INT "int" size 4, encoding SIGNED, 32 bits
        Assert.Equal("00000000 00000002 02000000", Hex(raw.AsSpan(24, 12)));
        Assert.Equal("01000000 00000001 04000000 20000001", Hex(raw.AsSpan(36, 16)));
        Assert.Equal("00696e74 00", Hex(raw.AsSpan(52)));
        Assert.Equal(24 + 28 + 5, raw.Length);
    }

    [Fact]
    public void Arrays_get_one_shared_ARRAY_SIZE_TYPE_index_like_clang()
    {
        var c = new BtfInt("char", 1, true);
        var b = new BtfBuilder();
        b.Add(new BtfArray(c, 4));
        b.Add(new BtfArray(new BtfArray(c, 5), 3));
        var dump = BtfDump.Format(b.Build());
        Assert.Equal("""
            [1] ARRAY '(anon)' type_id=2 index_type_id=3 nr_elems=4
            [2] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=SIGNED
            [3] INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)
            [4] ARRAY '(anon)' type_id=5 index_type_id=3 nr_elems=3
            [5] ARRAY '(anon)' type_id=2 index_type_id=3 nr_elems=5
            """.Replace("\r\n", "\n"), dump);
    }

    [Fact]
    public void Members_added_after_Add_are_registered_by_Build()
    {
        var s = new BtfStruct("late", 8);
        var b = new BtfBuilder();
        b.Add(s);
        var l = new BtfInt("long", 8, true);
        s.Members.Add(new BtfMember("x", l, 0));
        var spec = b.Build();
        Assert.Equal(2, spec.IdOf(l));
    }

    [Fact]
    public void Every_kind_survives_encode_and_parse()
    {
        var spec = new SampleTypes().NewBuilder().Build();
        var parsed = BtfSpec.Parse(spec.RawBytes);
        Assert.Equal(BtfDump.Format(spec), BtfDump.Format(parsed));
        Assert.Equal(spec.RawBytes, Rebuild(parsed).RawBytes);
        // All kinds are present.
        var kinds = parsed.Types.Skip(1).Select(BtfKinds.Of).ToHashSet();
        foreach (var k in Enum.GetValues<BtfKind>().Where(k => k != BtfKind.Void)) Assert.Contains(k, kinds);
    }

    [Fact]
    public void Bpftool_reads_our_encoding_exactly_as_we_print_it()
    {
        var spec = new SampleTypes().NewBuilder().Build();
        var path = ClangBpf.WriteTemp(spec.RawBytes, "sample.btf");
        Assert.Equal(ClangBpf.BpftoolDump(path), BtfDump.Format(spec));
    }

    [Fact]
    public void Enum64_is_chosen_for_values_beyond_32_bits()
    {
        var small = new BtfEnum("s", 8, false, new[] { new BtfEnumValue("A", uint.MaxValue) });
        var big = new BtfEnum("b", 8, true, new[] { new BtfEnumValue("B", -0x1_0000_0000L) });
        Assert.Equal(BtfKind.Enum, BtfKinds.Of(small));
        Assert.Equal(BtfKind.Enum64, BtfKinds.Of(big));
        var b = new BtfBuilder();
        b.Add(big);
        var parsed = BtfSpec.Parse(b.Build().RawBytes);
        var e = Assert.IsType<BtfEnum>(parsed[1]);
        Assert.True(e.IsEnum64);
        Assert.Equal(-0x1_0000_0000L, e.Values[0].Value);
    }

    /// <summary>Adds a parsed spec's types to a new builder in id order: the bytes must come out identical.</summary>
    static BtfSpec Rebuild(BtfSpec parsed)
    {
        var b = new BtfBuilder();
        foreach (var t in parsed.Types.Skip(1)) b.Add(t);
        return b.Build();
    }

    static string Hex(ReadOnlySpan<byte> bytes)
    {
        var parts = new List<string>();
        for (int i = 0; i < bytes.Length; i += 4) parts.Add(Convert.ToHexString(bytes.Slice(i, Math.Min(4, bytes.Length - i))).ToLowerInvariant());
        return string.Join(' ', parts);
    }
}
