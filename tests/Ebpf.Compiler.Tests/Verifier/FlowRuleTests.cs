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
        { "EBPF2106", "TaskStorage_get_incremented_unchecked", "invalid mem access 'map_value_or_null'", "EBPF2201" },
        // An inner map's lookup result: map_value_or_null until 6.18.x stable kernels, map_ptr_or_null since.
        { "EBPF2106", "InnerMap_used_unchecked", "_or_null expected=map_ptr", "EBPF2201" },
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
        Assert.True(e.Log.Contains(reason, StringComparison.Ordinal), $"'{reason}' is not in the verifier's log:\n{e.Log}");
        Assert.NotEqual("EBPF2299", e.DiagnosticId);
        if (catalogId.Length > 0) Assert.Equal(catalogId, e.DiagnosticId);
        Assert.StartsWith($"Probe.cs(", e.Message);
        Assert.Contains($"error {e.DiagnosticId}: ", e.Message.Split('\n')[0]);
    }

    /// <summary>Invalid probes the compiler's IR checks leave to the verifier, with why.</summary>
    static readonly Dictionary<string, string> LeftToTheVerifier = new()
    {
        ["Reserve_submitted_unchecked"] = "the unchecked pointer is a helper argument, not dereferenced",
        ["Lookup_passed_to_update_unchecked"] = "the unchecked pointer is a helper argument, not dereferenced",
        ["InnerMap_used_unchecked"] = "the unchecked inner map is a helper's map argument, not dereferenced",
        ["InnerMap_null_branch_used"] = "the null inner map is a helper's map argument, not dereferenced",
        ["Packet_variable_pointer_unchecked"] = "a variable packet offset",
        ["Packet_variable_pointer_short_check"] = "a variable packet offset",
    };

    /// <summary>(ID, probe) for every invalid probe marked with an ID that has an IR check (Checks.IrChecks).</summary>
    public static TheoryData<string, string> BackstoppedCases
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (var id in Checks.IrChecks.Ids)
                foreach (var (name, markup) in FlowProbes.Invalid.Where(p => p.Markup.Contains($"{{|{id}:", StringComparison.Ordinal)))
                    cases.Add(id, name);
            return cases;
        }
    }

    static BpfCompileResult CompileWithoutSourceRulesThatHaveIrChecks(string source)
        => BpfCompiler.CompileSources(new[] { (source, "Probe.cs") }, new BpfCompilerOptions { DisabledSourceRules = Checks.IrChecks.Ids.ToList() });

    /// <summary>With the source flow rules off, the compiler's IR check of the same ID (run on optimized IR, after
    /// inlining) still refuses the probe, on the line the source rule marks (for EBPF2108 the leaking exit).</summary>
    [Theory]
    [MemberData(nameof(BackstoppedCases))]
    public void Ir_check_refuses_what_the_source_rule_reports_when_that_rule_is_off(string id, string name)
    {
        var markup = Markup.Parse(InvalidMarkup(name));
        var result = CompileWithoutSourceRulesThatHaveIrChecks(markup.Source);
        var reported = result.Diagnostics.Where(d => d.Id == id).ToList();
        if (LeftToTheVerifier.ContainsKey(name))
        {
            Assert.Empty(reported);
            return;
        }
        Assert.False(result.Success);
        Assert.NotEmpty(reported);
        var text = Microsoft.CodeAnalysis.Text.SourceText.From(markup.Source);
        var expectedLines = markup.Expected.Where(e => e.Id == id).Select(e => text.Lines.GetLinePosition(e.Span.Start).Line).ToHashSet();
        foreach (var d in reported)
        {
            var line = d.Location.GetLineSpan().StartLinePosition.Line;
            // Bump(ref c) is inlined: the dereference is inside Bump, reported on its line.
            Assert.True(expectedLines.Contains(line) || name == "Lookup_passed_to_unchecking_method",
                $"{d} (expected on line {string.Join(",", expectedLines.Select(l => l + 1))})");
        }
    }

    /// <summary>The IR checks have no false positives on the valid corpus (every style of check users write).</summary>
    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Ir_checks_accept_every_valid_probe_with_the_source_rules_off(string name)
    {
        var result = CompileWithoutSourceRulesThatHaveIrChecks(ValidSource(name));
        Assert.True(result.Success && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }
}
