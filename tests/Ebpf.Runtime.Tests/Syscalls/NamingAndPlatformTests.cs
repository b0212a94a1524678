using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime.Tests.Syscalls;

public class NamingAndPlatformTests
{
    [Theory]
    [InlineData("Counts", "Counts")]
    [InlineData("a_very_long_map_name_here", "a_very_long_map")]   // observed on the kernel for clang's x05 object
    [InlineData("my-map name", "my_map_name")]
    [InlineData("opencoun.rodata", "opencoun.rodata")]
    [InlineData("Zähler", "Z_hler")]
    public void Object_names_keep_15_allowed_characters(string name, string expected)
        => Assert.Equal(expected, ObjectName.Sanitize(name));

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1\n", 2)]
    [InlineData("0-3,8-11", 8)]
    [InlineData("0,2,4-5", 4)]
    public void Possible_cpu_lists_are_counted(string list, int count) => Assert.Equal(count, PossibleCpus.Parse(list));

    [Theory]
    [InlineData("")]
    [InlineData("3-1")]
    [InlineData("x")]
    public void Malformed_cpu_lists_are_rejected(string list) => Assert.Throws<FormatException>(() => PossibleCpus.Parse(list));

    [Fact]
    public void Errno_names_and_descriptions()
    {
        Assert.Equal("EPERM (Operation not permitted)", Errno.Format(1));
        Assert.Equal("ENOTSUPP", Errno.Name(524));
        Assert.Equal("E2BIG", Errno.Name(Errno.E2BIG));
        Assert.Equal("errno 9999", Errno.Name(9999));
    }

    [Fact]
    public void Map_kinds_know_which_types_are_per_cpu()
    {
        var perCpu = Enum.GetValues<MapType>().Where(MapKinds.IsPerCpu).ToArray();
        Assert.Equal([MapType.PerCpuHash, MapType.PerCpuArray, MapType.LruPerCpuHash, MapType.PerCpuCgroupStorage], perCpu);
        Assert.All(Enum.GetValues<MapType>(), t => Assert.DoesNotContain("map type", MapKinds.KernelName(t)));
        Assert.False(MapKinds.TakesBtfTypes(MapType.PerfEventArray));
        Assert.True(MapKinds.TakesBtfTypes(MapType.ProgArray));       // libbpf tries, and retries without on rejection
    }

    [SkippableFact]
    public void Map_kind_names_are_bpftools()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(new MapSpec { Name = "t_lru_pcpu", Type = MapType.LruPerCpuHash, KeySize = 4, ValueSize = 4, MaxEntries = 8 });
        var show = ExternalTool.Run(ExternalTool.Require("bpftool"), "map", "show", "id", map.GetInfo().Id.ToString(), "-j");
        Assert.Contains($"\"type\":\"{MapKinds.KernelName(MapType.LruPerCpuHash)}\"", show.StdOut);
    }

    [Fact]
    public void Uprobe_offsets_agree_with_readelf()
    {
        // Build a tiny executable and compare our file offset for a function with the one readelf's tables give.
        var dir = Directory.CreateTempSubdirectory("ebpf-elfsym-");
        try
        {
            var source = Path.Combine(dir.FullName, "t.c");
            File.WriteAllText(source, "__attribute__((noinline)) int probe_me(int x) { return x * 3; }\nint main(int c, char **v) { return probe_me(c); }\n");
            var exe = Path.Combine(dir.FullName, "t");
            var compile = ExternalTool.Run(ExternalTool.Require("clang"), "-O1", "-o", exe, source);
            Assert.True(compile.ExitCode == 0, compile.Combined);

            var symbols = ExternalTool.Run(ExternalTool.Require("llvm-readelf"), "-s", "--wide", exe).StdOut;
            var sym = symbols.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(f => f.Length >= 8 && f[7] == "probe_me");
            ulong address = Convert.ToUInt64(sym[1], 16);
            var segments = ExternalTool.Run(ExternalTool.Require("llvm-readelf"), "-l", "--wide", exe).StdOut;
            var load = segments.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && f[0] == "LOAD")
                .Select(f => (Offset: Convert.ToUInt64(f[1], 16), VAddr: Convert.ToUInt64(f[2], 16), MemSize: Convert.ToUInt64(f[5], 16)))
                .First(s => address >= s.VAddr && address < s.VAddr + s.MemSize);

            Assert.Equal(address - load.VAddr + load.Offset, ElfSymbolOffsets.FileOffset(exe, "probe_me"));
            var missing = Assert.Throws<ArgumentException>(() => ElfSymbolOffsets.FileOffset(exe, "no_such_function"));
            Assert.StartsWith($"'{exe}' has no function symbol 'no_such_function'", missing.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
