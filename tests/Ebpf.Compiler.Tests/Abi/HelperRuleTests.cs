using System.Collections.Immutable;
using Ebpf.Abi;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Abi;

/// <summary>Each kernel ABI rule with an invalid probe (the ID at the exact construct) and a valid one (silent),
/// through the IDE analyzer and through the compiler: both must give the same IDs at the same spans.</summary>
public class HelperRuleTests
{
    /// <summary>A [BpfObject] with <paramref name="license"/> and one program of <paramref name="attribute"/> running <paramref name="body"/>.</summary>
    public static string Probe(string body, string license = "GPL", string attribute = "[Xdp]", string context = "XdpContext", string result = "XdpAction", string ret = "XdpAction.Pass", string members = "") => $$"""
        using System;
        using System.Threading;
        using Ebpf;

        public struct Args { public ulong Common; public long Nr; }

        [BpfObject(License = "{{license}}")]
        public static partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 4);
            static ulong Total;
            {{members}}

            {{attribute}}
            static unsafe {{result}} Run({{context}} ctx)
            {
                {{body}}
                return {{ret}};
            }
        }
        """;

    const string Tracepoint = "[Tracepoint(\"syscalls\", \"sys_enter_openat\")]";

    public static TheoryData<string, string, string?> Cases => new()
    {
        // EBPF2301: GPL-only helpers under licenses the kernel does not count as GPL.
        { "Gpl_only_printk_under_MIT", Probe("{|EBPF2301:Bpf.Printk(\"hi\")|};", license: "MIT"), null },
        { "Gpl_only_probe_read_kernel_under_Apache", Probe("ulong v; {|EBPF2301:Bpf.ProbeReadKernel(out v, (void*)ctx.Data)|};", license: "Apache-2.0"), null },
        { "Gpl_only_printk_under_Dual_BSD_GPL_is_fine", Probe("Bpf.Printk(\"hi\");", license: "Dual BSD/GPL"), null },
        { "Gpl_only_printk_under_Dual_MIT_GPL_is_fine", Probe("Bpf.Printk(\"hi\");", license: "Dual MIT/GPL"), null },
        { "Gpl_only_printk_under_GPL_v2_is_fine", Probe("Bpf.Printk(\"hi\");", license: "GPL v2"), null },
        { "Non_gpl_helper_under_MIT_is_fine", Probe("_ = Bpf.KtimeGetNs();", license: "MIT"), null },
        // EBPF2302: helpers the program type may not call on any probed kernel.
        { "Coarse_clock_in_a_tracepoint", Probe("_ = {|EBPF2302:Bpf.KtimeGetCoarseNs()|};", attribute: Tracepoint, context: "in Args", result: "int", ret: "0"), null },
        { "Coarse_clock_in_xdp_is_fine", Probe("_ = Bpf.KtimeGetCoarseNs();"), null },
        { "Helper_in_a_method_called_by_a_tracepoint", Probe("_ = Clock();", attribute: Tracepoint, context: "in Args", result: "int", ret: "0",
            members: "static ulong Clock() => {|EBPF2302:Bpf.KtimeGetCoarseNs()|};"), null },
        // EBPF2303: helpers newer than the target, per program type.
        { "Pid_in_xdp_on_6_1", Probe("_ = {|EBPF2303:Bpf.GetCurrentPidTgid()|};"), "6.1" },
        { "Pid_in_xdp_on_6_12_is_fine", Probe("_ = Bpf.GetCurrentPidTgid();"), "6.12" },
        { "Ringbuf_output_on_5_4", Probe("ulong v = 1; {|EBPF2303:Events.Output(in v)|};", members: "static readonly RingBuffer {|EBPF2304:Events = new(4096)|};"), "5.4" },
        { "Ktime_on_4_19_is_fine", Probe("_ = Bpf.KtimeGetNs();"), "4.19" },
        // EBPF2304: program and map types newer than the target.
        { "Tcx_program_on_6_1", Probe("", attribute: "[{|EBPF2304:Tc(TcDirection.Ingress)|}]", context: "SkBuffContext", result: "TcAction", ret: "TcAction.Ok"), "6.1" },
        { "Tcx_program_on_6_6_is_fine", Probe("", attribute: "[Tc(TcDirection.Ingress)]", context: "SkBuffContext", result: "TcAction", ret: "TcAction.Ok"), "6.6" },
        // EBPF2305: instructions newer than the target.
        { "Atomic_exchange_on_5_10", Probe("{|EBPF2305:Interlocked.Exchange(ref Total, 1)|};"), "5.10" },
        { "Atomic_increment_with_result_on_5_10", Probe("if ({|EBPF2305:Interlocked.Increment(ref Total)|} > 5) return XdpAction.Drop;"), "5.10" },
        { "Atomic_add_without_result_on_5_10_is_fine", Probe("Interlocked.Add(ref Total, 1);"), "5.10" },
        { "Loop_on_5_2", Probe("uint s = 0; {|EBPF2305:for|} (uint i = 0; i < 4; i++) s += i; Counts.Update(s, 1);"), "5.2" },
        { "Loop_on_5_3_is_fine", Probe("uint s = 0; for (uint i = 0; i < 4; i++) s += i; Counts.Update(s, 1);"), "5.3" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Analyzer_reports_at_the_construct(string name, string markup, string? target)
    {
        _ = name;
        var parsed = Markup.Parse(markup);
        var compilation = TestCompilations.Create(parsed.Source);
        TestCompilations.AssertNoErrors(compilation);
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new TargetOptions(target));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new HelperAnalyzer()), options).GetAnalyzerDiagnosticsAsync();
        parsed.AssertMatches(diagnostics);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compiler_reports_the_same_at_the_same_construct(string name, string markup, string? target)
    {
        _ = name;
        var parsed = Markup.Parse(markup);
        var options = new BpfCompilerOptions { TargetKernel = target is null ? null : KernelVersion.Parse(target) };
        var result = BpfCompiler.CompileSources(new[] { (parsed.Source, "Probe.cs") }, options);
        parsed.AssertMatches(result.Diagnostics.Where(d => d.Id.StartsWith("EBPF23", StringComparison.Ordinal)));
        if (parsed.Expected.Count == 0) Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void A_target_that_is_not_a_version_is_EBPF2306()
    {
        var reported = new List<Diagnostic>();
        Assert.Null(HelperRules.ParseTarget("six", Location.None, reported.Add));
        Assert.Equal("EBPF2306", Assert.Single(reported).Id);
        Assert.Equal(new KernelVersion(6, 1), HelperRules.ParseTarget("6.1", Location.None, reported.Add));
    }

    internal sealed class TargetOptions(string? target) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(target);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        sealed class Options(string? target) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                value = target ?? "";
                return key == HelperAnalyzer.TargetKernelProperty && target is not null;
            }
        }
    }
}
