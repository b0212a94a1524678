using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Btf;

/// <summary>The BTF of compiled objects, read by bpftool (libbpf's parser) and checked against clang's
/// encoding of the same C declarations. Codegen is the test double: these tests are about BTF.</summary>
static class ObjectBtfTestsSource
{
    public const string Text = """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using Ebpf;

        public enum Verdict : uint { Allow = 0, Deny = 1, Audit = 7 }
        public struct FlowKey { public uint Source; public uint Destination; public ushort Port; public byte Protocol; }
        public unsafe struct FlowStats { public ulong Packets; public ulong Bytes; public Verdict Last; public bool Seen; public fixed byte Comm[16]; }
        public struct OpenArgs { public ulong Common; public int SyscallNr; public long Dfd; public ulong Filename; }

        [BpfObject(License = "Dual BSD/GPL")]
        public static partial class Flows
        {
            static readonly HashMap<FlowKey, FlowStats> Stats = new(maxEntries: 1024, flags: MapFlags.NoPrealloc);
            static readonly ArrayMap<ulong> Totals = new(maxEntries: 4, pinning: MapPinning.ByName);
            static readonly RingBuffer Events = new(sizeBytes: 4096);
            static readonly uint TargetPid;
            static readonly Verdict DefaultVerdict = Verdict.Audit;
            static long Budget = 100;
            static ulong Drops;

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpen(in OpenArgs args)
            {
                ref FlowStats s = ref Stats.Lookup(default);
                return Count(args.Dfd, TargetPid) + (Totals.TryGetValue(0, out ulong t) ? (int)t : 0) + (int)Drops + (int)Budget;
            }

            [Xdp]
            static XdpAction Filter(XdpContext ctx) => DefaultVerdict == Verdict.Deny ? XdpAction.Drop : XdpAction.Pass;

            [MethodImpl(MethodImplOptions.NoInlining)]
            static int Count(long dfd, uint pid) => (int)dfd + (int)pid;
        }
        """;
}

public class ObjectBtfDumps
{
    const string Source = ObjectBtfTestsSource.Text;

    static string WriteObject()
    {
        var result = BpfCompiler.CompileSources(new[] { (Source, "Flows.Probe.cs") }, new BpfCompilerOptions { FunctionCompiler = new ReturnZeroCompiler() });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var path = Path.Combine(Path.GetTempPath(), $"btf-{Guid.NewGuid():N}.bpf.o");
        File.WriteAllBytes(path, result.Objects.Single().Elf);
        return path;
    }

    static string Bpftool(params string[] args)
    {
        var r = ExternalTool.Run(ExternalTool.Require("bpftool"), args);
        Assert.True(r.ExitCode == 0, r.Combined);
        return r.StdOut;
    }

    [Fact]
    public void Bpftool_prints_funcs_map_definitions_and_datasecs()
    {
        var path = WriteObject();
        try
        {
            Snapshot.Match("flows-btf-raw", Bpftool("btf", "dump", "file", path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Bpftool_format_c_prints_readable_c()
    {
        var path = WriteObject();
        try
        {
            Snapshot.Match("flows-btf-c", Bpftool("btf", "dump", "file", path, "format", "c"));
        }
        finally { File.Delete(path); }
    }
}

/// <summary>Cross-checks with clang and libbpf: the C that bpftool prints compiles, clang's encoding of the
/// same map definitions reads back identically, and libbpf opens the object.</summary>
public class ObjectBtfCrossChecks
{
    static string Run(string tool, params string[] args)
    {
        var r = ExternalTool.Run(ExternalTool.Require(tool), args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)}:\n{r.Combined}");
        return r.StdOut;
    }

    static (string Dir, string Object) WriteObject()
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-btf-").FullName;
        var result = BpfCompiler.CompileSources(new[] { (ObjectBtfTestsSource.Text, "Flows.Probe.cs") }, new BpfCompilerOptions { FunctionCompiler = new ReturnZeroCompiler() });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var path = Path.Combine(dir, "Flows.bpf.o");
        File.WriteAllBytes(path, result.Objects.Single().Elf);
        return (dir, path);
    }

    [Fact]
    public void The_c_that_bpftool_prints_compiles_with_clang()
    {
        var (dir, obj) = WriteObject();
        try
        {
            File.WriteAllText(Path.Combine(dir, "flows.h"), Run("bpftool", "btf", "dump", "file", obj, "format", "c"));
            File.WriteAllText(Path.Combine(dir, "use.c"), """
                #include "flows.h"
                struct FlowKey key; struct FlowStats stats; struct OpenArgs args; enum Verdict verdict = Audit;
                int size_check[sizeof(struct FlowStats) == 40 && sizeof(struct FlowKey) == 12 ? 1 : -1];
                """);
            Run("clang", "-target", "bpf", "-O2", "-c", Path.Combine(dir, "use.c"), "-o", Path.Combine(dir, "use.o"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Map_definitions_read_back_like_clangs_encoding_of_the_same_maps()
    {
        var (dir, obj) = WriteObject();
        try
        {
            File.WriteAllText(Path.Combine(dir, "flows.h"), Run("bpftool", "btf", "dump", "file", obj, "format", "c"));
            File.WriteAllText(Path.Combine(dir, "maps.c"), """
                #define BPF_NO_PRESERVE_ACCESS_INDEX
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                #include "flows.h"
                struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, struct FlowKey); __type(value, struct FlowStats);
                         __uint(map_flags, BPF_F_NO_PREALLOC); } Stats SEC(".maps");
                struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, unsigned int); __type(value, unsigned long);
                         __uint(pinning, LIBBPF_PIN_BY_NAME); } Totals SEC(".maps");
                struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } Events SEC(".maps");
                char LICENSE[] SEC("license") = "Dual BSD/GPL";
                """);
            var clangObj = Path.Combine(dir, "maps.o");
            Run("clang", "-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu", "-c", Path.Combine(dir, "maps.c"), "-o", clangObj);
            static IEnumerable<string> Maps(string path) => Ebpf.Object.ElfObjectReader.ReadFile(path).Maps.Select(m =>
                $"{m.Name} {m.Type} {m.KeySize}/{m.ValueSize} max={m.MaxEntries} flags={m.Flags} pin={m.Pinning} key={m.KeyType?.Name ?? "-"} value={m.ValueType?.Name ?? "-"}");
            Assert.Equal(Maps(clangObj), Maps(obj));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Libbpf_opens_the_object_bpftool_gen_skeleton()
    {
        var (dir, obj) = WriteObject();
        try
        {
            var skeleton = Run("bpftool", "gen", "skeleton", obj, "name", "flows");
            Assert.Contains("struct bpf_map *Stats;", skeleton);
            Assert.Contains("struct bpf_program *OnOpen;", skeleton);
            Assert.Contains("struct flows__rodata {\n\t\tunsigned int TargetPid;", skeleton);
            Assert.Contains("long Budget;", skeleton);
            Assert.Contains("unsigned long Drops;", skeleton);
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void The_kernel_accepts_the_btf_func_info_and_line_info()
    {
        Kernel.RequireBpf();
        var (dir, obj) = WriteObject();
        var pin = $"/sys/fs/bpf/ebpf-btf-test-{Guid.NewGuid():N}";
        // libbpf pins the MapPinning.ByName map 'Totals' under its default root; remove it if this test made it.
        const string pinnedByName = "/sys/fs/bpf/Totals";
        bool pinnedBefore = File.Exists(pinnedByName);
        try
        {
            var r = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "loadall", obj, pin);
            Assert.True(r.ExitCode == 0, r.Combined);
            var show = Run("bpftool", "prog", "show", "pinned", Path.Combine(pin, "OnOpen"));
            Assert.Contains("tracepoint", show);
            Assert.Contains("btf_id", show);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, true);
            if (!pinnedBefore && File.Exists(pinnedByName)) File.Delete(pinnedByName);
            Directory.Delete(dir, true);
        }
    }
}
