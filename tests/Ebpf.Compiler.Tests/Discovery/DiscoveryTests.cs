using Ebpf.Rules.Model;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Discovery;

public class DiscoveryTests
{
    static (IReadOnlyList<BpfObjectModel> Objects, List<Diagnostic> Diagnostics) Discover(string source)
    {
        var compilation = TestCompilations.Create(source);
        TestCompilations.AssertNoErrors(compilation);
        var diagnostics = new List<Diagnostic>();
        var objects = BpfObjectDiscovery.Discover(compilation, diagnostics);
        return (objects, diagnostics);
    }

    static BpfObjectModel DiscoverOne(string source)
    {
        var (objects, diagnostics) = Discover(source);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return Assert.Single(objects);
    }

    const string Usings = "using System; using System.Runtime.InteropServices; using Ebpf;\n";

    [Fact]
    public void Section_names_program_types_and_attach_types_follow_libbpf()
    {
        var model = DiscoverOne(Usings + """
            public struct Record { public ulong Common; public long Id; }
            [BpfObject(License = "Dual MIT/GPL")]
            public static partial class Kinds
            {
                [Tracepoint("syscalls", "sys_enter_openat")] static int Tp(in Record r) => 0;
                [RawTracepoint("sched_switch")] static int Raw(RawTracepointContext ctx) => 0;
                [TracepointBtf("sched_wakeup")] static int TpBtf(TracingContext ctx) => 0;
                [Kprobe("do_unlinkat")] static int Kp(PtRegs ctx, int dfd) => 0;
                [Kretprobe("do_unlinkat")] static int Krp(PtRegs ctx) => 0;
                [Uprobe("/bin/bash", "readline")] static int Up(PtRegs ctx) => 0;
                [Uretprobe] static int Urp(PtRegs ctx) => 0;
                [Fentry("vfs_read")] static int Fe(TracingContext ctx) => 0;
                [Fexit("vfs_read")] static int Fx(TracingContext ctx) => 0;
                [Lsm("file_open")] static int Ls(TracingContext ctx) => 0;
                [Xdp] static XdpAction X(XdpContext ctx) => XdpAction.Pass;
                [Tc(TcDirection.Egress)] static TcAction T(SkBuffContext ctx) => TcAction.Ok;
                [SocketFilter] static int S(SkBuffContext ctx) => 0;
                [CgroupSkb(CgroupSkbDirection.Ingress)] static int C(SkBuffContext ctx) => 1;
                [PerfEvent] static int P(PerfEventContext ctx) => 0;
            }
            """);
        Assert.Equal("Dual MIT/GPL", model.License);
        var actual = model.Programs.Select(p => $"{p.Method.Name} {p.SectionName} {p.Type} {p.ExpectedAttachType} {p.Context} {p.AttachTarget ?? "-"}");
        Assert.Equal(new[]
        {
            "Tp tracepoint/syscalls/sys_enter_openat Tracepoint CgroupInetIngress TracepointRecord syscalls/sys_enter_openat",
            "Raw raw_tp/sched_switch RawTracepoint CgroupInetIngress RawTracepoint sched_switch",
            "TpBtf tp_btf/sched_wakeup Tracing TraceRawTp Tracing sched_wakeup",
            "Kp kprobe/do_unlinkat Kprobe CgroupInetIngress PtRegs do_unlinkat",
            "Krp kretprobe/do_unlinkat Kprobe CgroupInetIngress PtRegs do_unlinkat",
            "Up uprobe//bin/bash:readline Kprobe CgroupInetIngress PtRegs /bin/bash:readline",
            "Urp uretprobe Kprobe CgroupInetIngress PtRegs -",
            "Fe fentry/vfs_read Tracing TraceFentry Tracing vfs_read",
            "Fx fexit/vfs_read Tracing TraceFexit Tracing vfs_read",
            "Ls lsm/file_open Lsm LsmMac Tracing file_open",
            "X xdp Xdp Xdp Xdp -",
            "T tcx/egress SchedCls TcxEgress SkBuff -",
            "S socket SocketFilter CgroupInetIngress SkBuff -",
            "C cgroup_skb/ingress CgroupSkb CgroupInetIngress SkBuff -",
            "P perf_event PerfEvent CgroupInetIngress PerfEvent -",
        }, actual);

        // The reader classifies every section the compiler writes the same way (libbpf's section table).
        foreach (var p in model.Programs)
        {
            Assert.True(ProgramSections.TryClassify(p.SectionName, out var type, out var attach, out var target), p.SectionName);
            Assert.Equal((p.Type, p.ExpectedAttachType, p.AttachTarget), (type, attach, target));
        }
    }

    [Fact]
    public void Maps_take_types_sizes_and_constant_arguments()
    {
        var model = DiscoverOne(Usings + """
            public struct Key { public uint Pid; public ushort Cpu; }
            public struct Value { public ulong Count; public ulong Bytes; }
            [BpfObject]
            public static partial class Maps
            {
                const uint Size = 64;
                static readonly HashMap<Key, Value> Stats = new(maxEntries: 10240, flags: MapFlags.NoPrealloc, pinning: MapPinning.ByName);
                static readonly ArrayMap<ulong> Counters = new(maxEntries: Size * 2);
                static readonly LruHashMap<uint, byte> Recent = new(100);
                static readonly PerCpuArray<Value> Scratch = new(maxEntries: 1);
                static readonly RingBuffer Events = new(sizeBytes: 1 << 16);
                static readonly PerfEventArray Perf = new();
                static readonly StackTraceMap Stacks = new(maxEntries: 128, maxDepth: 20);
                static readonly QueueMap<ulong> Queue = new(maxEntries: 8);
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """);
        var actual = model.Maps.Select(m => $"{m.Name} {m.Type} key={m.KeyType?.ToDisplayString() ?? "-"}/{m.KeySize} value={m.ValueType?.ToDisplayString() ?? "-"}/{m.ValueSize} max={m.MaxEntries} flags={m.Flags} pin={m.Pinning}");
        Assert.Equal(new[]
        {
            "Stats Hash key=Key/8 value=Value/16 max=10240 flags=1 pin=ByName",
            "Counters Array key=uint/4 value=ulong/8 max=128 flags=0 pin=None",
            "Recent LruHash key=uint/4 value=byte/1 max=100 flags=0 pin=None",
            "Scratch PerCpuArray key=uint/4 value=Value/16 max=1 flags=0 pin=None",
            "Events RingBuf key=-/0 value=-/0 max=65536 flags=0 pin=None",
            "Perf PerfEventArray key=uint/4 value=uint/4 max=0 flags=0 pin=None",
            "Stacks StackTrace key=uint/4 value=-/160 max=128 flags=0 pin=None",
            "Queue Queue key=-/0 value=ulong/8 max=8 flags=0 pin=None",
        }, actual);
    }

    [Fact]
    public void Globals_get_sections_aligned_offsets_and_initial_bytes()
    {
        var model = DiscoverOne(Usings + """
            public enum Mode : byte { Off, On = 3 }
            public struct Limits { public uint Low; public ushort High; public Mode Mode; }
            [BpfObject]
            public static partial class Globals
            {
                const int Folded = 3;
                static readonly byte Flag;
                static readonly uint TargetPid;
                static readonly Limits Bounds = new() { Low = 0x10, High = 0x2030, Mode = Mode.On };
                static ulong Misses;
                static int Start = -2;
                static bool Enabled = true;
                static ushort Zero = 0;
                static char Letter = 'A';
                static long Nothing = default;
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """);
        var actual = model.Globals.Select(g => $"{g.Name} {g.Section} @{g.Offset} size={g.Size} {Convert.ToHexString(g.InitialValue)}");
        Assert.Equal(new[]
        {
            "Flag .rodata @0 size=1 00",
            "TargetPid .rodata @4 size=4 00000000",
            "Bounds .rodata @8 size=8 1000000030200300",
            "Misses .bss @0 size=8 0000000000000000",
            "Start .data @0 size=4 FEFFFFFF",
            "Enabled .data @4 size=1 01",
            "Zero .bss @8 size=2 0000",
            "Letter .data @6 size=2 4100",
            "Nothing .bss @16 size=8 0000000000000000",
        }, actual);
    }

    /// <summary>Malformed objects, one EBPF3xxx each, shared with the analyzer parity tests.</summary>
    public static readonly string BadObjects = Usings + """
            public class Foo { }
            [BpfObject]
            public static class {|EBPF3001:NotPartial|} { [Xdp] static XdpAction X(XdpContext ctx) => XdpAction.Pass; }
            [BpfObject]
            public static partial class Bad
            {
                static readonly HashMap<uint, ulong> Counts = new(maxEntries: {|EBPF3006:Computed()|});
                static readonly HashMap<uint, ulong> {|EBPF3007:NoInit|};
                static readonly HashMap<uint, float> {|EBPF3008:Floats|} = new(maxEntries: 4);
                static readonly ArrayMap<ulong> Empty = {|EBPF3009:new(maxEntries: 0)|};
                static readonly RingBuffer Ring = {|EBPF3009:new(sizeBytes: 1000)|};
                static string {|EBPF3010:Name|} = "x";
                static int Dynamic = {|EBPF3011:Environment.ProcessorCount|};
                static uint Computed() => 4;
                [Xdp] int {|EBPF3002:Instance|}(XdpContext ctx) => 0;
                [Xdp] static XdpAction WrongContext({|EBPF3003:SkBuffContext ctx|}) => XdpAction.Pass;
                [Tracepoint("a", "b")] static int ByValue({|EBPF3003:Foo r|}) => 0;
                [Xdp] static {|EBPF3004:long|} WrongReturn(XdpContext ctx) => 0;
                [Xdp, SocketFilter] static int {|EBPF3005:Two|}(XdpContext ctx) => 0;
                [{|EBPF3012:Tracepoint("syscalls", "sys enter")|}] static int Spaces(in long r) => 0;
                [{|EBPF3012:Uprobe("/bin/bash")|}] static int HalfUprobe(PtRegs ctx) => 0;
                [Xdp] static XdpAction {|EBPF3014:Generic|}<T>(XdpContext ctx) => XdpAction.Pass;
                [Xdp] static XdpAction Extra(XdpContext ctx, {|EBPF3018:int more|}) => XdpAction.Pass;
                [Xdp] static XdpAction Same(XdpContext ctx) => XdpAction.Pass;
                [Kprobe("f")] static int {|EBPF3013:Same|}(PtRegs ctx) => 0;
            }
            public static class Plain { [Xdp] static XdpAction {|EBPF3015:Stray|}(XdpContext ctx) => XdpAction.Pass; }
            [BpfObject]
            public static partial class {|EBPF3017:NoPrograms|} { }
            [{|EBPF3020:BpfObject(License = "GPL\n")|}]
            public static partial class BadLicense { [Xdp] static XdpAction X(XdpContext ctx) => XdpAction.Pass; }
            """;

    [Fact]
    public void Bad_object_class_program_signatures_and_maps_are_located()
    {
        var source = Markup.Parse(BadObjects);
        var compilation = TestCompilations.Create(source.Source);
        var diagnostics = new List<Diagnostic>();
        var objects = BpfObjectDiscovery.Discover(compilation, diagnostics);
        Assert.Equal(new[] { "NoPrograms" }, objects.Select(o => o.Name));
        source.AssertMatches(diagnostics);
    }
}
