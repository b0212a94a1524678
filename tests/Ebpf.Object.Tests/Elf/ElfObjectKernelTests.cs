using System.Text.Json;
using Ebpf.Object.Tests.Support;
using Ebpf.TestSupport;
using TestKernel = Ebpf.TestSupport.Kernel;

namespace Ebpf.Object.Tests.Elf;

/// <summary>libbpf (bpftool 7.1) and the kernel verifier load what the writer produces.</summary>
public class ElfObjectKernelTests
{
    [SkippableFact]
    public void Bpftool_loads_our_object_and_the_XDP_program_reads_the_map_and_rodata()
    {
        TestKernel.RequireBpf();
        var obj = Tools.WriteTemp(ElfObjectWriter.Write(SampleObjects.XdpAndTracepoint()), "sample.o");
        using var pins = new Tools.PinDirectory();
        var maps = Path.Combine(pins.Path, "maps");
        Directory.CreateDirectory(maps);
        Tools.MustRun("bpftool", "prog", "loadall", obj, pins.Path, "pinmaps", maps);
        Assert.True(File.Exists(Path.Combine(pins.Path, "xdp_count")));
        Assert.True(File.Exists(Path.Combine(pins.Path, "on_getpid")));   // its call to the .text sub-program was linked and verified
        Assert.True(File.Exists(Path.Combine(maps, "counts")));

        // counts[0] = 1, run three times: each run adds step (3) from .rodata.
        string counts = Path.Combine(maps, "counts");
        Tools.MustRun("bpftool", "map", "update", "pinned", counts, "key", "0", "0", "0", "0", "value", "1", "0", "0", "0", "0", "0", "0", "0");
        var packet = Tools.WriteTemp(new byte[64], "packet.bin");
        var run = Tools.MustRun("bpftool", "prog", "run", "pinned", Path.Combine(pins.Path, "xdp_count"), "data_in", packet, "repeat", "3");
        Assert.Contains("Return value: 2", run);
        var lookup = JsonDocument.Parse(Tools.MustRun("bpftool", "-j", "map", "lookup", "pinned", counts, "key", "0", "0", "0", "0"));
        Assert.Equal(10, lookup.RootElement.GetProperty("formatted").GetProperty("value").GetInt64());
    }

    [SkippableFact]
    public void Bpftool_shows_our_line_info_in_the_loaded_program()
    {
        TestKernel.RequireBpf();
        var obj = Tools.WriteTemp(ElfObjectWriter.Write(SampleObjects.XdpAndTracepoint()), "sample.o");
        using var pins = new Tools.PinDirectory();
        Tools.MustRun("bpftool", "prog", "loadall", obj, pins.Path);
        var xlated = Tools.MustRun("bpftool", "prog", "dump", "xlated", "pinned", Path.Combine(pins.Path, "on_getpid"), "linum");
        Assert.Contains("; AddOne(41); [file:/src/Sample.cs line_num:20 line_col:9]", xlated);
        Assert.Contains("; static int AddOne(int x) => x + 1; [file:/src/Sample.cs line_num:30 line_col:5]", xlated);
    }

    [SkippableFact]
    public void Clang_object_rewritten_by_our_writer_still_loads()
    {
        TestKernel.RequireBpf();
        var spec = ElfObjectReader.ReadFile(Tools.CompileC(CPrograms.MapsAndGlobals, "maps"));
        var obj = Tools.WriteTemp(ElfObjectWriter.Write(spec), "maps.o");
        var disasm = Tools.Run("llvm-objdump", "-d", "-r", obj);
        Assert.True(disasm.ExitCode == 0 && disasm.StdErr.Length == 0, disasm.Combined);
        using var pins = new Tools.PinDirectory();
        Tools.MustRun("bpftool", "prog", "loadall", obj, pins.Path);
        Assert.Equal(new[] { "tp_getpid", "xdp_count" }, Directory.GetFiles(pins.Path).Select(Path.GetFileName).OrderBy(n => n));
    }
}
