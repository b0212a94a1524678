using System.Collections.Immutable;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Object;
using Ebpf.Rules.Analyzers;
using Ebpf.Rules.Flow;
using Ebpf.Runtime;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Verifier;

/// <summary>The flow rules on both corpora of <see cref="FlowProbes"/>: each invalid probe refused at its
/// construct by the compiler and by the IDE analyzers alike; each valid one accepted by both and by the
/// kernel; and each rule, switched off, lets through a program the kernel verifier rejects.</summary>
public class FlowRuleTests
{
    public static TheoryData<string> InvalidNames => new(FlowProbes.Invalid.Select(p => p.Name));
    public static TheoryData<string> ValidNames => new(FlowProbes.Valid.Select(p => p.Name));

    static string InvalidMarkup(string name) => FlowProbes.Invalid.Single(p => p.Name == name).Markup;
    static string ValidSource(string name) => FlowProbes.Valid.Single(p => p.Name == name).Source;

    static BpfCompileResult Compile(string source, params string[] disabled)
        => BpfCompiler.CompileSources(new[] { (source, "Probe.cs") }, new BpfCompilerOptions { DisabledRules = disabled });

    static async Task<ImmutableArray<Diagnostic>> Analyze(string source)
    {
        var compilation = TestCompilations.Create(source);
        TestCompilations.AssertNoErrors(compilation);
        return await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new SubsetAnalyzer(), new FlowAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Compiler_refuses_each_invalid_probe_at_its_construct(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = Compile(markup.Source);
        markup.AssertMatches(result.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Analyzer_reports_what_the_compiler_reports_on_each_invalid_probe(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        markup.AssertMatches(await Analyze(markup.Source));
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public async Task Valid_probe_has_no_diagnostic_from_the_compiler_or_the_analyzer(string name)
    {
        var source = ValidSource(name);
        var result = Compile(source);
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        var analyzer = await Analyze(source);
        Assert.True(analyzer.IsEmpty, string.Join("\n", analyzer));
    }

    [SkippableTheory]
    [MemberData(nameof(ValidNames))]
    public void Valid_probe_is_accepted_by_the_kernel_verifier(string name)
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(ValidSource(name));
        Assert.NotEmpty(probe.Collection.Programs);
    }

    /// <summary>Per flow rule, the probe compiled with that rule off: the kernel's reason must match, and the
    /// runtime's exception classifies it with the verifier message catalog.</summary>
    public static TheoryData<string, string, string, string> RuleOffCases => new()
    {
        { "EBPF2106", "Lookup_incremented_unchecked", "invalid mem access 'map_value_or_null'", "EBPF2201" },
        { "EBPF2106", "Reserve_submitted_unchecked", "type=ringbuf_mem_or_null expected=ringbuf_mem", "EBPF2202" },
        { "EBPF2107", "Packet_read_past_check", "invalid access to packet", "EBPF2203" },
        { "EBPF2107", "Packet_length_compared_not_pointer", "invalid access to packet", "EBPF2203" },
        { "EBPF2108", "Reserve_leaked_on_early_return", "Unreleased reference", "EBPF2215" },
        { "EBPF2109", "Loop_bound_from_global", "", "" },
        { "EBPF2110", "ProbeRead_size_from_global", "", "" },
        { "EBPF2111", "Tracepoint_common_pid", "invalid bpf_context access", "EBPF2217" },
    };

    [SkippableTheory]
    [MemberData(nameof(RuleOffCases))]
    public void Each_rule_switched_off_lets_through_a_program_the_kernel_rejects(string id, string name, string reason, string catalogId)
    {
        Kernel.RequireBpf();
        var source = Markup.Parse(InvalidMarkup(name)).Source;
        var result = Compile(source, id);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == id);
        var spec = Assert.Single(result.Objects).Spec;
        var e = Assert.Throws<VerifierException>(() => { using var c = Collection.Load(spec); });
        Assert.Contains(reason, e.Log);
        Assert.NotEqual("EBPF2299", e.DiagnosticId);
        if (catalogId.Length > 0) Assert.Equal(catalogId, e.DiagnosticId);
        Assert.StartsWith($"Probe.cs(", e.Message);
        Assert.Contains($"error {e.DiagnosticId}: ", e.Message.Split('\n')[0]);
    }

    /// <summary>Invalid EBPF2106 probes whose unchecked use is an argument of a helper call rather than a load or
    /// store: the IR backstop leaves those to the verifier (it reports only dereferences).</summary>
    static readonly string[] HelperArgumentUses = ["Reserve_submitted_unchecked", "Lookup_passed_to_update_unchecked"];

    public static TheoryData<string> UncheckedPointerNames
        => new(FlowProbes.Invalid.Where(p => p.Markup.Contains("{|EBPF2106:", StringComparison.Ordinal)).Select(p => p.Name));

    /// <summary>With the source rule off, the compiler's IR check of the same ID still refuses each dereference before a
    /// null check, on the line the source rule marks (after inlining: <c>Bump(ref c)</c> is caught inside Bump's body
    /// on the caller's line).</summary>
    [Theory]
    [MemberData(nameof(UncheckedPointerNames))]
    public void Ir_backstop_refuses_what_the_source_rule_reports_when_that_rule_is_off(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2106"] });
        var backstop = result.Diagnostics.Where(d => d.Id == "EBPF2106").ToList();
        if (HelperArgumentUses.Contains(name))
        {
            Assert.Empty(backstop);
            return;
        }
        Assert.False(result.Success);
        var expectedLines = markup.Expected.Where(e => e.Id == "EBPF2106")
            .Select(e => Microsoft.CodeAnalysis.Text.SourceText.From(markup.Source).Lines.GetLinePosition(e.Span.Start).Line).ToHashSet();
        Assert.NotEmpty(backstop);
        foreach (var d in backstop)
        {
            var span = d.Location.GetLineSpan();
            Assert.True(span.Path == "Probe.cs" && (expectedLines.Contains(span.StartLinePosition.Line) || name == "Lookup_passed_to_unchecking_method"),
                $"{d} (expected on line {string.Join(",", expectedLines.Select(l => l + 1))})");
        }
    }

    /// <summary>The backstop has no false positives on the valid corpus (every style of check users write).</summary>
    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Ir_backstop_accepts_every_valid_probe_with_the_source_rule_off(string name)
    {
        var result = BpfCompiler.CompileSources(new[] { (ValidSource(name), "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2106"] });
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }

    public static TheoryData<string> UnreleasedRecordNames
        => new(FlowProbes.Invalid.Where(p => p.Markup.Contains("{|EBPF2108:", StringComparison.Ordinal)).Select(p => p.Name));

    /// <summary>With the source rule off, the IR check of EBPF2108 still refuses each reservation a path leaves held, at
    /// the line of the leaking exit the source rule marks.</summary>
    [Theory]
    [MemberData(nameof(UnreleasedRecordNames))]
    public void Ir_backstop_refuses_each_leaked_reservation_at_the_leaking_exit_when_the_source_rule_is_off(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2108", "EBPF2106"] });
        Assert.False(result.Success);
        var text = Microsoft.CodeAnalysis.Text.SourceText.From(markup.Source);
        var expectedLines = markup.Expected.Where(e => e.Id == "EBPF2108").Select(e => text.Lines.GetLinePosition(e.Span.Start).Line).ToHashSet();
        var backstop = result.Diagnostics.Where(d => d.Id == "EBPF2108").ToList();
        Assert.NotEmpty(backstop);
        foreach (var d in backstop)
            Assert.True(expectedLines.Contains(d.Location.GetLineSpan().StartLinePosition.Line),
                $"{d} (expected on line {string.Join(",", expectedLines.Select(l => l + 1))})");
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Ir_backstop_of_EBPF2108_accepts_every_valid_probe_with_the_source_rule_off(string name)
    {
        var result = BpfCompiler.CompileSources(new[] { (ValidSource(name), "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2108"] });
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }

    /// <summary>Invalid EBPF2107 probes the IR check leaves to the verifier: accesses at a variable offset.</summary>
    static readonly string[] VariablePacketOffsets = ["Packet_variable_pointer_unchecked", "Packet_variable_pointer_short_check"];

    public static TheoryData<string> PacketNames
        => new(FlowProbes.Invalid.Where(p => p.Markup.Contains("{|EBPF2107:", StringComparison.Ordinal)).Select(p => p.Name));

    /// <summary>With the source rule off, the IR check of EBPF2107 still refuses each constant-offset packet access past
    /// the checked range, on the line the source rule marks.</summary>
    [Theory]
    [MemberData(nameof(PacketNames))]
    public void Ir_backstop_refuses_each_packet_access_past_the_checked_range_when_the_source_rule_is_off(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2107"] });
        var backstop = result.Diagnostics.Where(d => d.Id == "EBPF2107").ToList();
        if (VariablePacketOffsets.Contains(name))
        {
            Assert.Empty(backstop);
            return;
        }
        Assert.False(result.Success);
        var text = Microsoft.CodeAnalysis.Text.SourceText.From(markup.Source);
        var expectedLines = markup.Expected.Where(e => e.Id == "EBPF2107").Select(e => text.Lines.GetLinePosition(e.Span.Start).Line).ToHashSet();
        Assert.NotEmpty(backstop);
        foreach (var d in backstop)
            Assert.True(expectedLines.Contains(d.Location.GetLineSpan().StartLinePosition.Line),
                $"{d} (expected on line {string.Join(",", expectedLines.Select(l => l + 1))})");
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Ir_backstop_of_EBPF2107_accepts_every_valid_probe_with_the_source_rule_off(string name)
    {
        var result = BpfCompiler.CompileSources(new[] { (ValidSource(name), "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2107"] });
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }

    public static TheoryData<string> TracepointCommonFieldNames
        => new(FlowProbes.Invalid.Where(p => p.Markup.Contains("{|EBPF2111:", StringComparison.Ordinal)).Select(p => p.Name));

    /// <summary>With the source rule off, the IR check of EBPF2111 still refuses each read of a tracepoint record's
    /// common fields, on the marked line.</summary>
    [Theory]
    [MemberData(nameof(TracepointCommonFieldNames))]
    public void Ir_backstop_refuses_each_tracepoint_common_field_read_when_the_source_rule_is_off(string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2111"] });
        Assert.False(result.Success);
        var text = Microsoft.CodeAnalysis.Text.SourceText.From(markup.Source);
        var expectedLines = markup.Expected.Where(e => e.Id == "EBPF2111").Select(e => text.Lines.GetLinePosition(e.Span.Start).Line).ToHashSet();
        var backstop = result.Diagnostics.Where(d => d.Id == "EBPF2111").ToList();
        Assert.NotEmpty(backstop);
        foreach (var d in backstop)
            Assert.Contains(d.Location.GetLineSpan().StartLinePosition.Line, expectedLines);
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Ir_backstop_of_EBPF2111_accepts_every_valid_probe_with_the_source_rule_off(string name)
    {
        var result = BpfCompiler.CompileSources(new[] { (ValidSource(name), "Probe.cs") },
            new BpfCompilerOptions { DisabledSourceRules = ["EBPF2111"] });
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }
}
