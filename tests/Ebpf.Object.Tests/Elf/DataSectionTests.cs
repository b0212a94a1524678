using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object.Tests.Support;

namespace Ebpf.Object.Tests.Elf;

public class DataSectionTests
{
    /// <summary>.data with a global and a static variable, .bss, .rodata, a kernel version, no maps.</summary>
    static ObjectSpec Globals()
    {
        var u32 = new BtfInt("unsigned int", 4, false);
        var g = new BtfVar("g_counter", u32, BtfVarLinkage.GlobalAllocated);
        var s = new BtfVar("s_hidden", u32, BtfVarLinkage.Static);
        var z = new BtfVar("zeros", new BtfArray(u32, 4), BtfVarLinkage.GlobalAllocated);
        var data = new BtfDatasec(".data", 8, new[] { new BtfVarSecInfo(g, 0, 4), new BtfVarSecInfo(s, 4, 4) });
        var bss = new BtfDatasec(".bss", 16, new[] { new BtfVarSecInfo(z, 0, 16) });
        var func = new BtfFunc("sock", new BtfFuncProto(new BtfInt("int", 4, true), new[] { new BtfParameter("skb", new BtfPointer(BtfVoid.Instance)) }), BtfFuncLinkage.Global);
        var b = new BtfBuilder();
        b.Add(data); b.Add(bss); b.Add(func);
        var spec = new ObjectSpec { License = "Dual BSD/GPL", KernelVersion = 0x6122c, Btf = b.Build() };
        spec.Programs.Add(new ProgramSpec
        {
            Name = "sock",
            SectionName = "socket",
            Type = ProgramType.SocketFilter,
            Instructions = new[]
            {
                Insn.LoadImm64(Register.R1, 4),                              // &s_hidden: .data + 4
                Insn.Load(MemSize.W, Register.R0, Register.R1, 0),
                Insn.LoadImm64(Register.R1, 8),                              // &zeros[2]: .bss + 8
                Insn.Store(MemSize.W, Register.R1, 0, Register.R0),
                Insn.Exit(),
            },
            Relocations = new[] { new Relocation(0, RelocationKind.GlobalData, ".data"), new Relocation(2, RelocationKind.GlobalData, ".bss") },
            FuncInfos = new[] { new BtfFuncInfo(0, func) },
        });
        spec.DataSections.Add(new DataSectionSpec { Name = ".data", Size = 8, Contents = new byte[] { 1, 0, 0, 0, 2, 0, 0, 0 }, BtfDatasec = data });
        spec.DataSections.Add(new DataSectionSpec { Name = ".bss", Size = 16, BtfDatasec = bss });
        return spec;
    }

    [Fact]
    public void Data_bss_version_and_license_round_trip()
    {
        var spec = Globals();
        var bytes = ElfObjectWriter.Write(spec);
        SpecComparer.Equal(spec, ElfObjectReader.Read(bytes));

        var path = Tools.WriteTemp(bytes, "globals.o");
        var sections = Tools.MustRun("llvm-readelf", "-S", path);
        Assert.Matches(@"\] \.data\s+PROGBITS\s+\S+\s+\S+\s+000008 00\s+WA ", sections);
        Assert.Matches(@"\] \.bss\s+NOBITS\s+\S+\s+\S+\s+000010 00\s+WA ", sections);
        Assert.Matches(@"\] version\s+PROGBITS\s+\S+\s+\S+\s+000004 00\s+WA ", sections);
        var symbols = Tools.MustRun("llvm-readelf", "-s", path);
        Assert.Matches(@"0000000000000004\s+4 OBJECT\s+LOCAL\s+DEFAULT\s+\d+ s_hidden", symbols);
        Assert.Matches(@"0000000000000000\s+4 OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ g_counter", symbols);
        Assert.Matches(@"0000000000000000\s+16 OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ zeros", symbols);
        Assert.Matches(@"0000000000000000\s+13 OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ LICENSE", symbols);
    }

    [SkippableFact]
    public void Libbpf_creates_the_global_data_maps_and_the_program_loads()
    {
        Ebpf.TestSupport.Kernel.RequireBpf();
        var path = Tools.WriteTemp(ElfObjectWriter.Write(Globals()), "globals.o");
        using var pins = new Tools.PinDirectory();
        var maps = Path.Combine(pins.Path, "maps");
        Directory.CreateDirectory(maps);
        Tools.MustRun("bpftool", "prog", "loadall", path, pins.Path, "pinmaps", maps);
        // bpftool pins internal maps with '.' replaced by '_': globals.data -> globals_data.
        Assert.Equal(new[] { "globals_bss", "globals_data" }, Directory.GetFiles(maps).Select(Path.GetFileName).OrderBy(n => n));
        Assert.True(File.Exists(Path.Combine(pins.Path, "sock")));
    }

    [Fact]
    public void Bss_with_contents_and_unknown_section_names_are_refused()
    {
        var spec = Globals();
        spec.DataSections[1].Contents = new byte[16];
        spec.DataSections[1].Contents![3] = 1;
        Assert.Equal("data section '.bss' is .bss (zero-filled) but has non-zero contents",
            Assert.Throws<InvalidObjectSpecException>(() => ElfObjectWriter.Write(spec)).Message);
        var other = Globals();
        other.DataSections.Add(new DataSectionSpec { Name = ".mystuff", Size = 4 });
        Assert.StartsWith("data section '.mystuff' is not .data, .rodata or .bss",
            Assert.Throws<InvalidObjectSpecException>(() => ElfObjectWriter.Write(other)).Message);
    }
}
