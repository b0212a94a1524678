using System.Collections.Immutable;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Generators;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Compiler.Tests.Generators;

/// <summary>The typed-accessor generator: its output for a probe with every map kind and every global
/// kind (snapshot), that output compiled with warnings as errors beside the probe, and incrementality
/// (an edit outside the probe regenerates nothing).</summary>
public class AccessorGeneratorTests
{
    const string EveryKindProbe = """
        using System.Runtime.InteropServices;
        using Ebpf;

        namespace Demo;

        [StructLayout(LayoutKind.Sequential)]
        public struct FlowKey { public uint Saddr; public uint Daddr; public ushort Sport; public ushort Dport; }

        public struct FlowStats { public ulong Packets; public ulong Bytes; }

        [StructLayout(LayoutKind.Sequential)]
        public struct Prefix { public uint Address; }

        [BpfObject(License = "Dual BSD/GPL")]
        public static partial class EveryKind
        {
            static readonly HashMap<FlowKey, FlowStats> Flows = new(maxEntries: 1024);
            static readonly LruHashMap<uint, ulong> Recent = new(maxEntries: 128);
            static readonly ArrayMap<ulong> Counters = new(maxEntries: 4);
            static readonly PerCpuArray<FlowStats> PerCpuTotals = new(maxEntries: 1);
            static readonly PerCpuHashMap<uint, ulong> PerCpuByPid = new(maxEntries: 64);
            static readonly LruPerCpuHashMap<uint, ulong> LruPerCpu = new(maxEntries: 64);
            static readonly LpmTrie<LpmKey<Prefix>, byte> Routes = new(maxEntries: 16);
            static readonly RingBuffer Events = new(sizeBytes: 4096);
            static readonly PerfEventArray PerfEvents = new();
            static readonly ProgramArray Jumps = new(maxEntries: 4);
            static readonly QueueMap<ulong> Queue = new(maxEntries: 8);
            static readonly StackMap<ulong> Stack = new(maxEntries: 8);
            static readonly StackTraceMap Stacks = new(maxEntries: 16);

            static readonly uint TargetPid;                 // .rodata
            static readonly FlowKey Filter;                 // .rodata, a struct
            static ulong Hits = 7;                          // .data
            static ulong Misses;                            // .bss
            static FlowStats Last;                          // .bss, a struct

            [Tracepoint("syscalls", "sys_enter_openat")] static int OnOpen(in long record) => 0;
            [RawTracepoint("sched_switch")] static int OnSwitch(RawTracepointContext ctx) => 0;
            [TracepointBtf("sched_switch")] static int OnSwitchBtf(TracingContext ctx) => 0;
            [Kprobe("do_sys_openat2")] static int OnKprobe(PtRegs ctx) => 0;
            [Kretprobe("do_sys_openat2")] static int OnKretprobe(PtRegs ctx) => 0;
            [Uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc")] static int OnMalloc(PtRegs ctx) => 0;
            [Uprobe] static int OnAnyUprobe(PtRegs ctx) => 0;
            [Uretprobe] static int OnAnyUretprobe(PtRegs ctx) => 0;
            [Fentry("do_unlinkat")] static int OnFentry(TracingContext ctx) => 0;
            [Fexit("do_unlinkat")] static int OnFexit(TracingContext ctx) => 0;
            [Lsm("file_open")] static int OnLsm(TracingContext ctx) => 0;
            [Xdp] static XdpAction OnXdp(XdpContext ctx) => XdpAction.Pass;
            [Tc(TcDirection.Egress)] static TcAction OnTc(SkBuffContext ctx) => TcAction.Ok;
            [SocketFilter] static int OnSocket(SkBuffContext ctx) => 0;
            [CgroupSkb(CgroupSkbDirection.Ingress)] static int OnCgroup(SkBuffContext ctx) => 1;
            [PerfEvent] static int OnPerf(PerfEventContext ctx) => 0;
        }
        """;

    static (GeneratorDriver Driver, Compilation Output) Run(string source, GeneratorDriver? driver = null, Compilation? input = null)
    {
        var compilation = input ?? TestCompilations.Create(source, "EveryKind.cs");
        driver ??= CSharpGeneratorDriver.Create(new[] { new AccessorGenerator().AsSourceGenerator() },
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true),
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        return (driver, output);
    }

    [Fact]
    public void Every_map_and_global_kind_gets_a_typed_accessor()
    {
        TestCompilations.AssertNoErrors(TestCompilations.Create(EveryKindProbe));
        var (driver, _) = Run(EveryKindProbe);
        var generated = Assert.Single(driver.GetRunResult().GeneratedTrees);
        Assert.EndsWith("Demo.EveryKind.Accessors.g.cs", generated.FilePath);
        Snapshot.Match("EveryKind.Accessors", generated.GetText().ToString());
    }

    [Fact]
    public void The_generated_code_compiles_with_warnings_as_errors()
    {
        var (_, output) = Run(EveryKindProbe);
        var strict = output.WithOptions(output.Options
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
            .WithSpecificDiagnosticOptions(ImmutableDictionary<string, ReportDiagnostic>.Empty
                // The probe's own fields are read only by eBPF code: C# sees them unused (the
                // package's suppressor handles CS0649/CS0169 for .rodata globals in a real build).
                .Add("CS0169", ReportDiagnostic.Suppress).Add("CS0414", ReportDiagnostic.Suppress)
                .Add("CS0649", ReportDiagnostic.Suppress).Add("CS8618", ReportDiagnostic.Suppress)));
        var problems = strict.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning
            && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        TestCompilations.AssertNoErrors(output);
    }

    [Fact]
    public void An_edit_outside_the_probe_regenerates_nothing()
    {
        var compilation = TestCompilations.Create(EveryKindProbe, "EveryKind.cs");
        var (driver, _) = Run(EveryKindProbe, input: compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public static class Unrelated { public static int X => 1; }",
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options, "Unrelated.cs"));
        (driver, _) = Run(EveryKindProbe, driver, edited);
        var steps = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs);
        Assert.All(steps, o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void A_changed_map_value_type_regenerates_the_accessor()
    {
        var compilation = TestCompilations.Create(EveryKindProbe, "EveryKind.cs");
        var (driver, _) = Run(EveryKindProbe, input: compilation);
        var changedSource = EveryKindProbe.Replace("LruHashMap<uint, ulong> Recent", "LruHashMap<uint, uint> Recent");
        var changed = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(changedSource, (CSharpParseOptions)compilation.SyntaxTrees.First().Options, "EveryKind.cs"));
        (driver, _) = Run(changedSource, driver, changed);
        var result = driver.GetRunResult();
        Assert.Contains(result.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Map<uint, uint> Recent", Assert.Single(result.GeneratedTrees).GetText().ToString());
    }

    [Fact]
    public void A_probe_only_compilation_without_the_runtime_gets_no_accessors()
    {
        var compilation = TestCompilations.Create(EveryKindProbe, "EveryKind.cs");
        var withoutRuntime = compilation.RemoveReferences(compilation.References.Where(r => r.Display?.EndsWith("Ebpf.Runtime.dll") == true));
        var (driver, _) = Run(EveryKindProbe, input: withoutRuntime);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void A_class_with_object_errors_gets_no_accessors()
    {
        var broken = EveryKindProbe.Replace("new(maxEntries: 1024)", "new(maxEntries: 0)");
        var (driver, _) = Run(broken);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }
}
