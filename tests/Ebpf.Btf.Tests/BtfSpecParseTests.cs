using Ebpf.Btf.Tests.Support;

namespace Ebpf.Btf.Tests;

public class BtfSpecParseTests
{
    [Theory]
    [InlineData("maps", CSources.Maps)]
    [InlineData("kinds", CSources.Kinds)]
    public void Clang_BTF_parses_to_what_bpftool_prints(string name, string source)
    {
        var obj = ClangBpf.Compile(source, name);
        var btf = ClangBpf.DumpSection(obj, ".BTF");
        var spec = BtfSpec.Parse(btf);
        Assert.Equal(ClangBpf.BpftoolDump(obj), BtfDump.Format(spec));
        Assert.Equal(btf, spec.RawBytes);
    }

    [Fact]
    public void Clang_map_definition_is_navigable_as_a_graph()
    {
        var spec = BtfSpec.Parse(ClangBpf.DumpSection(ClangBpf.Compile(CSources.Maps, "maps"), ".BTF"));
        var maps = spec.FindType<BtfDatasec>(".maps")!;
        var counts = Assert.Single(maps.Variables).Var;
        Assert.Equal("counts", counts.Name);
        var def = Assert.IsType<BtfStruct>(counts.Type);
        Assert.Equal(new[] { "type", "max_entries", "key", "value" }, def.Members.Select(m => m.Name));
        var maxEntries = (BtfArray)((BtfPointer)def.Members[1].Type).Target;
        Assert.Equal(1024u, maxEntries.Count);
        var value = (BtfStruct)((BtfPointer)def.Members[3].Type).Target;
        Assert.Equal("val", value.Name);
        Assert.Equal(spec.IdOf(value), spec.Types.ToList().IndexOf(value));
        Assert.NotNull(spec.FindType<BtfFunc>("xdp_count"));
        Assert.Null(spec.FindType<BtfStruct>("xdp_count"));
    }

    [Fact]
    public void Kernel_vmlinux_BTF_parses_completely_and_matches_bpftool()
    {
        const string path = "/sys/kernel/btf/vmlinux";
        Skip.IfNot(File.Exists(path), "no /sys/kernel/btf/vmlinux (kernel without CONFIG_DEBUG_INFO_BTF)");
        var spec = BtfSpec.ParseFile(path);
        var task = spec.FindType<BtfStruct>("task_struct");
        Assert.NotNull(task);
        Assert.Contains(task!.Members, m => m.Name == "pid");
        Assert.Equal(task, spec[spec.IdOf(task)]);
        // Every line of bpftool's 300k-line dump, every kind the kernel uses (ENUM64, FLOAT, DECL_TAG, TYPE_TAG...).
        var expected = ClangBpf.BpftoolDump(path).Split('\n');
        var actual = BtfDump.Format(spec).Split('\n');
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) Assert.Fail($"line {i + 1} differs:\n  bpftool: {expected[i]}\n  ours:    {actual[i]}");
    }

    [Fact]
    public void Kernel_BTF_reencodes_to_the_same_graph_and_ids()
    {
        const string path = "/sys/kernel/btf/vmlinux";
        Skip.IfNot(File.Exists(path), "no /sys/kernel/btf/vmlinux");
        var raw = File.ReadAllBytes(path);
        var spec = BtfSpec.Parse(raw);
        var b = new BtfBuilder();
        b.AddRange(spec.Types.Skip(1));
        var rebuilt = b.Build();
        // Same types, same ids; only string order may differ, so compare the printed graph.
        Assert.Equal(spec.Types.Count, rebuilt.Types.Count);
        Assert.Equal(BtfDump.Format(spec), BtfDump.Format(BtfSpec.Parse(rebuilt.RawBytes)));
    }
}
