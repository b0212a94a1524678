namespace Ebpf.Btf.Tests;

public class BtfDatasecFixupTests
{
    static (BtfSpec Spec, BtfVar A, BtfVar B, BtfVar S) ClangStyle()
    {
        var i = new BtfInt("int", 4, true);
        var a = new BtfVar("a", i, BtfVarLinkage.GlobalAllocated);
        var b = new BtfVar("b", i, BtfVarLinkage.GlobalAllocated);
        var s = new BtfVar("s_counter", i, BtfVarLinkage.Static);
        // As clang leaves it: size 0, globals at offset 0, the static at its real offset.
        var data = new BtfDatasec(".data", 0, new[] { new BtfVarSecInfo(a, 0, 4), new BtfVarSecInfo(b, 0, 4), new BtfVarSecInfo(s, 4, 4) });
        var kconfig = new BtfDatasec(".kconfig", 0, new[] { new BtfVarSecInfo(new BtfVar("CONFIG_HZ", i, BtfVarLinkage.GlobalExtern), 0, 4) });
        var builder = new BtfBuilder();
        builder.Add(data);
        builder.Add(kconfig);
        return (builder.Build(), a, b, s);
    }

    [Fact]
    public void Fills_sizes_and_global_offsets_and_sorts_like_libbpf()
    {
        var (spec, _, _, _) = ClangStyle();
        var symbols = new Dictionary<string, ulong> { ["a"] = 8, ["b"] = 0 };
        var fixedSpec = BtfDatasecFixup.Apply(spec, name => name == ".data" ? 12UL : null, name => symbols.TryGetValue(name, out var v) ? v : null);
        var data = fixedSpec.FindType<BtfDatasec>(".data")!;
        Assert.Equal(12u, data.Size);
        Assert.Equal(new[] { ("b", 0u), ("s_counter", 4u), ("a", 8u) }, data.Variables.Select(v => (v.Var.Name!, v.Offset)));
        // Extern pseudo-sections are the loader's business.
        Assert.Equal(0u, fixedSpec.FindType<BtfDatasec>(".kconfig")!.Size);
        // Only the DATASEC record changed.
        Assert.Equal(spec.RawBytes.Length, fixedSpec.RawBytes.Length);
    }

    [Fact]
    public void Complete_DATASECs_are_left_alone()
    {
        var i = new BtfInt("int", 4, true);
        var b = new BtfBuilder();
        b.Add(new BtfDatasec(".bss", 8, new[] { new BtfVarSecInfo(new BtfVar("x", i, BtfVarLinkage.GlobalAllocated), 0, 4) }));
        var spec = b.Build();
        Assert.Same(spec, BtfDatasecFixup.Apply(spec, _ => throw new InvalidOperationException("not asked"), _ => throw new InvalidOperationException("not asked")));
    }

    [Fact]
    public void Missing_section_or_symbol_is_named()
    {
        var (spec, _, _, _) = ClangStyle();
        Assert.Equal("DATASEC '.data' has size 0 and the object has no non-empty section of that name to take it from",
            Assert.Throws<BtfFormatException>(() => BtfDatasecFixup.Apply(spec, _ => null, _ => 0)).Message);
        Assert.Equal("DATASEC '.data': no global ELF symbol for VAR 'b'",
            Assert.Throws<BtfFormatException>(() => BtfDatasecFixup.Apply(spec, _ => 12, n => n == "a" ? 0UL : null)).Message);
    }
}
