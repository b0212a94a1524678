using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using CsCheck;
using Ebpf.Compiler.Pipeline;
using Ebpf.Rules.Analyzers;
using Ebpf.Rules.Flow;
using Ebpf.Rules.Generators;
using Ebpf.Rules.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Ebpf.Compiler.Tests.Language;
using Xunit.Abstractions;

namespace Ebpf.Fuzz.Tests.CSharp;

/// <summary>Generated and mutated C# (valid probes, probes outside the subset, broken syntax) through the compiler, every
/// IDE analyzer and suppressor, and the accessor generator, sharing one parse and compilation per input: the compiler
/// gives an object or located diagnostics, never an internal error (EBPF9xxx) or an exception; no analyzer throws
/// (AD0001), no generator throws; no EBPF message shows a .NET exception. <see cref="FuzzBudget.CSharpInputsVariable"/>
/// sets a longer run.</summary>
public class CompilerAndAnalyzerFuzzTests(ITestOutputHelper output)
{
    static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new SubsetAnalyzer(), new ObjectAnalyzer(), new FlowAnalyzer(), new HelperAnalyzer(), new ReadOnlyGlobalSuppressor()];

    /// <summary>The compiler's compilation without sources (its options, references and implicit usings): each input is
    /// added to it, so Roslyn binds the references once for the run, not once per input, as a build server would.</summary>
    static readonly Lazy<CSharpCompilation> Empty = new(() =>
    {
        var diagnostics = new List<Diagnostic>();
        var compilation = BpfCompiler.CreateCompilation([], new BpfCompilerOptions(), diagnostics);
        Assert.Empty(diagnostics);
        return compilation;
    });

    [Fact]
    public void Generated_and_mutated_sources_never_crash_the_compiler_or_the_analyzers()
    {
        int inputs = FuzzBudget.CSharpInputs;
        var outcomes = new ConcurrentDictionary<string, int>();
        var times = new StageTimes();
        var clock = Stopwatch.StartNew();
        FuzzRun.Each(CSharpInput.Any, inputs, input =>
        {
            var outcome = Check(input.Source(), input.ToString(), times);
            outcomes.AddOrUpdate($"{input.From}{(input.Mutations.Length > 0 ? " mutated" : "")}: {outcome}", 1, (_, n) => n + 1);
        });
        output.WriteLine($"{inputs} inputs in {clock.Elapsed.TotalSeconds:F1} s on {FuzzBudget.Threads} threads; {times}");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key)) output.WriteLine($"{outcome}: {count}");
        Assert.Equal(inputs, outcomes.Values.Sum());
        // The inputs reach both sides: programs that compile and programs that are refused, mutated ones among them.
        Assert.Contains(outcomes.Keys, k => k.EndsWith("object", StringComparison.Ordinal));
        Assert.Contains(outcomes.Keys, k => k.Contains("mutated", StringComparison.Ordinal) && k.EndsWith("diagnostics", StringComparison.Ordinal));
    }

    /// <summary>One input through the compiler, the analyzers and the generator; "object" or "diagnostics", or a failure
    /// naming <paramref name="what"/>.</summary>
    internal static string Check(string source, string what) => Check(source, what, null);

    /// <summary>Time spent per stage over a run (ticks), to keep the test's cost in view.</summary>
    internal sealed class StageTimes
    {
        public long Compiler, Analyzers, Generator;
        public override string ToString() => $"compiler {Compiler / (double)Stopwatch.Frequency:F1} s, analyzers {Analyzers / (double)Stopwatch.Frequency:F1} s, generator {Generator / (double)Stopwatch.Frequency:F1} s (thread time)";
    }

    /// <summary>Where an exception was thrown: the innermost frames, to find the failing rule from a CI log.</summary>
    static string Frames(Exception e) => string.Join("\n", (e.StackTrace ?? "").Split('\n').Take(12));

    static string Check(string source, string what, StageTimes? times)
    {
        long start = Stopwatch.GetTimestamp();
        string Fail(string problem) => throw new Xunit.Sdk.XunitException($"{what}: {problem}\n--- source ---\n{source[..Math.Min(source.Length, 4000)]}");
        CSharpCompilation compilation;
        BpfCompileResult result;
        try
        {
            var empty = Empty.Value;
            compilation = empty.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, (CSharpParseOptions)empty.SyntaxTrees[0].Options, "Fuzz.cs", System.Text.Encoding.UTF8));
            result = BpfCompiler.Compile(compilation);
        }
        catch (Exception e)
        {
            return Fail($"the compiler threw {e.GetType().Name}: {e.Message}");
        }
        foreach (var d in result.Diagnostics)
        {
            if (d.Id.StartsWith("EBPF9", StringComparison.Ordinal)) Fail($"internal error {d}");
            if (d.Id.StartsWith("EBPF", StringComparison.Ordinal) && MessageRules.DiagnosticProblem(d.GetMessage()) is { } problem) Fail($"{d.Id}: {problem}: {d}");
        }
        string outcome = result.Success ? "object" : "diagnostics";
        long compiled = Stopwatch.GetTimestamp();
        if (!result.Success)
        {
            var errors = result.Errors.ToList();
            if (errors.Count == 0) Fail("no object and no error");
            foreach (var d in errors)
                if (!d.Location.IsInSource && !d.Id.StartsWith("EBPF4", StringComparison.Ordinal)) Fail($"diagnostic without a location: {d}");
        }

        // The IDE's view of the same compilation: every analyzer and the suppressor, with analyzer exceptions caught
        // (the IDE shows them as AD0001).
        var analyzerExceptions = new ConcurrentQueue<string>();
        var withAnalyzers = compilation.WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (e, analyzer, _) => analyzerExceptions.Enqueue($"{analyzer.GetType().Name} threw {e.GetType().Name}: {e.Message}\n{Frames(e)}"),
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));
        var all = withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        if (!analyzerExceptions.IsEmpty) Fail(string.Join("; ", analyzerExceptions));
        foreach (var d in all)
        {
            if (d.Id == "AD0001") Fail($"analyzer exception {d}");
            if (d.Id.StartsWith("EBPF9", StringComparison.Ordinal)) Fail($"internal error from an analyzer {d}");
            if (d.Id.StartsWith("EBPF", StringComparison.Ordinal) && MessageRules.DiagnosticProblem(d.GetMessage()) is { } problem) Fail($"{d.Id}: {problem}: {d}");
        }

        long analyzed = Stopwatch.GetTimestamp();
        var generated = CSharpGeneratorDriver.Create(new AccessorGenerator()).RunGenerators(compilation).GetRunResult();
        foreach (var r in generated.Results)
            if (r.Exception is { } e) Fail($"the accessor generator threw {e.GetType().Name}: {e.Message}");
        if (times is not null)
        {
            Interlocked.Add(ref times.Compiler, compiled - start);
            Interlocked.Add(ref times.Analyzers, analyzed - compiled);
            Interlocked.Add(ref times.Generator, Stopwatch.GetTimestamp() - analyzed);
        }
        return outcome;
    }
}
