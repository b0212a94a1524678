using System.Collections.Immutable;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Discovery;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Analyzers;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>The IDE analyzers report what the compiler reports from source: the object checks of
/// discovery (EBPF3xxx), recursion, and the subset rules in reached methods outside the object class —
/// the same IDs at the same spans, checked on one corpus through both; and nothing on valid probes.</summary>
public class ObjectAnalyzerTests
{
    static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ObjectAnalyzer(), new SubsetAnalyzer());

    static async Task<IReadOnlyList<Diagnostic>> Analyze(string source)
    {
        var compilation = TestCompilations.Create(source);
        TestCompilations.AssertNoErrors(compilation);
        return await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>Invalid probes, one stage's errors each (the compiler stops after the first stage with errors).</summary>
    public static TheoryData<string, string> Corpus => new()
    {
        { "Recursion", """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => Fact(3) > 0 ? XdpAction.Pass : XdpAction.Drop;
                static int Fact(int n) => n <= 1 ? 1 : n * {|EBPF1011:Fact(n - 1)|};
            }
            """ },
        { "Mutual_recursion", """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => Even(4) ? XdpAction.Pass : XdpAction.Drop;
                static bool Even(uint n) => n == 0 || Odd(n - 1);
                static bool Odd(uint n) => n != 0 && {|EBPF1011:Even(n - 1)|};
            }
            """ },
        { "Subset_rule_in_a_helper_class", """
            using Ebpf;
            public class Foo { }
            public static class Helpers { public static int Make() { var f = {|EBPF1001:new Foo()|}; return 1; } }
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => Helpers.Make() > 0 ? XdpAction.Pass : XdpAction.Drop;
            }
            """ },
        { "Program_outside_an_object", """
            using Ebpf;
            public static class Plain { [Xdp] static XdpAction {|EBPF3015:Stray|}(XdpContext ctx) => XdpAction.Pass; }
            [BpfObject]
            public static partial class Probe { [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass; }
            """ },
        { "Map_without_initializer", """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly HashMap<uint, ulong> {|EBPF3007:Counts|};
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """ },
        { "Ring_buffer_size", """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly RingBuffer Events = {|EBPF3009:new(sizeBytes: 1000)|};
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """ },
        { "Tracepoint_name", """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [{|EBPF3012:Tracepoint("syscalls", "sys enter")|}] static int Spaces(in long r) => 0;
            }
            """ },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task The_analyzers_report_the_corpus_at_the_marked_spans(string name, string markup)
    {
        _ = name;
        var parsed = Markup.Parse(markup);
        parsed.AssertMatches(await Analyze(parsed.Source));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_compiler_reports_the_corpus_at_the_same_spans(string name, string markup)
    {
        _ = name;
        var parsed = Markup.Parse(markup);
        var result = BpfCompiler.CompileSources(new[] { (parsed.Source, "Probe.cs") });
        parsed.AssertMatches(result.Diagnostics);
    }

    [Fact]
    public async Task Every_discovery_check_is_reported_by_the_analyzer_where_discovery_reports_it()
    {
        var parsed = Markup.Parse(DiscoveryTests.BadObjects);
        var compilation = TestCompilations.Create(parsed.Source);
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ObjectAnalyzer())).GetAnalyzerDiagnosticsAsync();
        parsed.AssertMatches(diagnostics.Where(d => d.Id.StartsWith("EBPF30", StringComparison.Ordinal)));
        Assert.DoesNotContain(diagnostics, d => d.Id.StartsWith("AD", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OpenCounter")]
    [InlineData("XdpFilter")]
    public async Task The_analyzers_are_silent_on_the_samples(string sample)
    {
        var source = File.ReadAllText(RepoPaths.Combine("samples", sample, sample + ".Probe.cs"));
        Assert.Empty(await Analyze(source));
    }
}
