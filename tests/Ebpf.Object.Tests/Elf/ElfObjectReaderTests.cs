using System.Buffers.Binary;
using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object.Tests.Support;

namespace Ebpf.Object.Tests.Elf;

public class ElfObjectReaderTests
{
    [Fact]
    public void Reading_what_we_wrote_gives_the_spec_back()
    {
        var spec = SampleObjects.XdpAndTracepoint();
        var read = ElfObjectReader.Read(ElfObjectWriter.Write(spec));
        SpecComparer.Equal(spec, read);
        // And writing the read spec again gives the same bytes.
        Assert.Equal(ElfObjectWriter.Write(spec), ElfObjectWriter.Write(read));
    }

    [Fact]
    public void Clang_object_with_maps_globals_and_calls_reads_as_libbpf_sees_it()
    {
        var spec = ElfObjectReader.ReadFile(Tools.CompileC(CPrograms.MapsAndGlobals, "maps"));
        Assert.Equal("GPL", spec.License);

        var xdp = spec.Programs.Single(p => p.Name == "xdp_count");
        Assert.Equal(("xdp", ProgramType.Xdp, AttachType.Xdp, (string?)null, false), (xdp.SectionName, xdp.Type, xdp.ExpectedAttachType, xdp.AttachTarget, xdp.IsSubprogram));
        var tp = spec.Programs.Single(p => p.Name == "tp_getpid");
        Assert.Equal(("tp/syscalls/sys_enter_getpid", ProgramType.Tracepoint, "syscalls/sys_enter_getpid"), (tp.SectionName, tp.Type, tp.AttachTarget));
        Assert.True(spec.Programs.Single(p => p.Name == "add_static").IsSubprogram);
        Assert.True(spec.Programs.Single(p => p.Name == "add_global").IsSubprogram);

        // Relocations by kind: map, the three data sections, a static call (against .text + imm) and a global call.
        Assert.Equal(new[]
        {
            (RelocationKind.Map, "counts"), (RelocationKind.GlobalData, ".rodata"), (RelocationKind.GlobalData, ".bss"),
            (RelocationKind.GlobalData, ".data"), (RelocationKind.Call, "add_static"), (RelocationKind.Call, "add_global"),
        }.OrderBy(x => x.ToString()), xdp.Relocations.Select(r => (r.Kind, r.Symbol)).OrderBy(x => x.ToString()));
        foreach (var r in xdp.Relocations)
        {
            var insn = xdp.Instructions[r.InstructionIndex];
            if (r.Kind == RelocationKind.Call) Assert.Equal((true, -1), (insn.IsLocalCall, insn.Imm));
            else Assert.True(insn.IsWide && insn.Src == Register.R0);
        }
        Assert.Equal((RelocationKind.Call, "add_static"), (Assert.Single(tp.Relocations).Kind, tp.Relocations[0].Symbol));
        // The static variable s_counter is reached through the .data section symbol with its offset in the constant.
        var addStatic = spec.Programs.Single(p => p.Name == "add_static");
        var sCounter = Assert.Single(addStatic.Relocations);
        Assert.Equal((RelocationKind.GlobalData, ".data"), (sCounter.Kind, sCounter.Symbol));
        var data = spec.DataSections.Single(d => d.Name == ".data");
        var sVar = data.BtfDatasec!.Variables.Single(v => v.Var.Name == "s_counter");
        Assert.Equal((long)sVar.Offset, addStatic.Instructions[sCounter.InstructionIndex].Constant);
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(data.Contents.AsSpan((int)sVar.Offset)));

        var counts = spec.Maps.Single(m => m.Name == "counts");
        Assert.Equal((MapType.Hash, 4u, 16u, 1024u, MapPinning.None), (counts.Type, counts.KeySize, counts.ValueSize, counts.MaxEntries, counts.Pinning));
        Assert.Equal("__u32", counts.KeyType!.Name);
        Assert.Equal("val", counts.ValueType!.Name);
        Assert.Same(spec.Btf!.FindType<BtfDatasec>(".maps")!.Variables.Single(v => v.Var.Name == "counts").Var, counts.BtfVar);
        var sized = spec.Maps.Single(m => m.Name == "sized");
        Assert.Equal((MapType.Array, 4u, 8u, 4u), (sized.Type, sized.KeySize, sized.ValueSize, sized.MaxEntries));
        Assert.Null(sized.KeyType);

        Assert.Equal(new[] { ".rodata", ".data", ".bss" }.OrderBy(n => n), spec.DataSections.Select(d => d.Name).OrderBy(n => n));
        var rodata = spec.DataSections.Single(d => d.Name == ".rodata");
        Assert.True(rodata.IsReadOnly);
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64LittleEndian(rodata.Contents));
        var bss = spec.DataSections.Single(d => d.Name == ".bss");
        Assert.Null(bss.Contents);
        Assert.Equal(8u, bss.Size);

        // libbpf's DATASEC fixup happened: real sizes and the global's offset from its symbol.
        Assert.Equal(8u, spec.Btf.FindType<BtfDatasec>(".bss")!.Size);
        Assert.Equal(data.Size, spec.Btf.FindType<BtfDatasec>(".data")!.Size);
        Assert.Equal(new uint[] { 0, 32 }, spec.Btf.FindType<BtfDatasec>(".maps")!.Variables.Select(v => v.Offset));

        // func_info/line_info come back per function, relative to the function start.
        foreach (var p in spec.Programs)
        {
            Assert.Equal(p.Name, Assert.Single(p.FuncInfos).Func.Name);
            Assert.Equal(0, p.FuncInfos[0].InstructionOffset);
            Assert.Equal(0, p.LineInfos[0].InstructionOffset);
            Assert.All(p.LineInfos, l => Assert.EndsWith("maps.c", l.FileName));
        }
        var addGlobal = spec.Programs.Single(p => p.Name == "add_global");
        Assert.Contains(addGlobal.LineInfos, l => l.LineText.Contains("return a * b;"));
    }

    [Fact]
    public void Clang_object_survives_read_write_read()
    {
        var path = Tools.CompileC(CPrograms.MapsAndGlobals, "maps");
        var first = ElfObjectReader.ReadFile(path);
        var second = ElfObjectReader.Read(ElfObjectWriter.Write(first));
        SpecComparer.Equal(first, second);
    }

    [Fact]
    public void Calls_between_text_functions_without_relocation_are_resolved()
    {
        // clang leaves a call from one .text function to another PC-relative, with no relocation.
        var path = Tools.CompileC("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            static __attribute__((noinline)) int leaf(int x) { return x * 3; }
            static __attribute__((noinline)) int mid(int x) { return leaf(x + 5) + 1; }
            SEC("socket") int sock(struct __sk_buff *skb) { return mid(skb->len); }
            char LICENSE[] SEC("license") = "GPL";
            """, "calls");
        var spec = ElfObjectReader.ReadFile(path);
        var mid = spec.Programs.Single(p => p.Name == "mid");
        var call = Assert.Single(mid.Relocations);
        Assert.Equal((RelocationKind.Call, "leaf"), (call.Kind, call.Symbol));
        Assert.Equal(-1, mid.Instructions[call.InstructionIndex].Imm);
        var sock = spec.Programs.Single(p => p.Name == "sock");
        Assert.Equal(("mid", ProgramType.SocketFilter), (Assert.Single(sock.Relocations).Symbol, sock.Type));
    }

    [Fact]
    public void Kfunc_calls_and_typed_ksyms_are_read_as_relocations_and_untyped_ksyms_are_named_as_unsupported()
    {
        var kfunc = Tools.CompileC("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            extern int bpf_some_kfunc(int x) __ksym;
            SEC("tp/syscalls/sys_enter_getpid") int tp(void *ctx) { return bpf_some_kfunc(1); }
            char LICENSE[] SEC("license") = "GPL";
            """, "kfunc");
        var tp = ElfObjectReader.ReadFile(kfunc).Programs.Single(p => p.Name == "tp");
        var call = Assert.Single(tp.Relocations);
        Assert.Equal((RelocationKind.Kfunc, "bpf_some_kfunc"), (call.Kind, call.Symbol));
        Assert.True(tp.Instructions[call.InstructionIndex].IsKfuncCall);

        var typed = Tools.CompileC("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            extern const int bpf_prog_active __ksym;
            SEC("tp/syscalls/sys_enter_getpid") int tp(void *ctx) { return (int)(long)&bpf_prog_active; }
            char LICENSE[] SEC("license") = "GPL";
            """, "typed_ksym");
        var typedTp = ElfObjectReader.ReadFile(typed).Programs.Single(p => p.Name == "tp");
        var address = Assert.Single(typedTp.Relocations);
        Assert.Equal((RelocationKind.Ksym, "bpf_prog_active"), (address.Kind, address.Symbol));
        Assert.True(typedTp.Instructions[address.InstructionIndex].IsWide);

        var ksym = Tools.CompileC("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            extern const void bpf_prog_active __ksym;
            SEC("tp/syscalls/sys_enter_getpid") int tp(void *ctx) { return (int)(long)&bpf_prog_active; }
            char LICENSE[] SEC("license") = "GPL";
            """, "ksym");
        var ex = Assert.Throws<ObjectFormatException>(() => ElfObjectReader.ReadFile(ksym));
        Assert.Contains("'tp' refers to extern variable 'bpf_prog_active', which is neither a kconfig variable (in the '.kconfig' DATASEC) nor a typed ksym (a VAR of a type in the '.ksyms' DATASEC)", ex.Message);
    }

    [Fact]
    public void Kconfig_externs_become_a_loader_filled_kconfig_section_laid_out_by_size()
    {
        var path = Tools.CompileC("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            extern char CONFIG_FLAG __kconfig;
            extern unsigned int LINUX_KERNEL_VERSION __kconfig;
            extern unsigned long long CONFIG_NUMBER __kconfig;
            long out;
            SEC("tp/syscalls/sys_enter_getpid") int tp(void *ctx) { out = CONFIG_FLAG + LINUX_KERNEL_VERSION + CONFIG_NUMBER; return 0; }
            char LICENSE[] SEC("license") = "GPL";
            """, "kconfig");
        var spec = ElfObjectReader.ReadFile(path);
        var kconfig = Assert.Single(spec.DataSections, s => s.Name == ".kconfig");
        Assert.Null(kconfig.Contents);
        Assert.True(kconfig.IsReadOnly);
        var layout = kconfig.BtfDatasec!.Variables.ToDictionary(v => v.Var.Name!, v => (v.Offset, v.Size, v.Var.Linkage));
        Assert.All(layout.Values, v => Assert.Equal(Ebpf.Btf.BtfVarLinkage.GlobalAllocated, v.Linkage));
        Assert.All(layout.Values, v => Assert.Equal(0u, v.Offset % v.Size));                         // naturally aligned
        Assert.Equal(kconfig.Size, layout.Values.Max(v => v.Offset + v.Size));
        var tp = spec.Programs.Single(p => p.Name == "tp");
        var offsets = tp.Relocations.Where(r => r.Symbol == ".kconfig")
            .Select(r => (uint)tp.Instructions[r.InstructionIndex].Constant).ToHashSet();
        Assert.Equal(layout.Values.Select(v => v.Offset).ToHashSet(), offsets);
        Assert.All(tp.Relocations.Where(r => r.Symbol == ".kconfig"), r => Assert.Equal(RelocationKind.GlobalData, r.Kind));
    }
}
