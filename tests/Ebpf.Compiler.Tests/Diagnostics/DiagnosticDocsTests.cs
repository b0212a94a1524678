using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Ebpf.Abi;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Abi;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Compiler.Tests.Verifier;
using Ebpf.Rules;
using Ebpf.Rules.Analyzers;
using Ebpf.Rules.Flow;
using Ebpf.Rules.Helpers;
using Ebpf.Runtime;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>Each section of docs/diagnostics.md shows its ID with a <c>// wrong</c> and a <c>// right</c> example, and
/// both go through the real compiler (and, for the IDs the IDE reports, the analyzers): the wrong one reports exactly
/// that ID on the line marked <c>// error EBPFnnnn</c> (or <c>warning</c>, <c>info</c>), the right one (the message's
/// suggested fix) nothing. A block with a <c>[BpfObject]</c> class (or another type declaration) is a whole file (compiled with <see cref="WholeFileUsings"/>
/// when it has no usings of its own); any other block is the body of <see cref="FlowProbes.Probe"/>'s program <c>Run</c>. A line
/// <c>// ebpf build --target-kernel X.Y</c> sets the target kernel.</summary>
public class DiagnosticDocsTests
{
    /// <summary>The IDs no C# source can show, and why; every other ID of the catalog needs its pair.</summary>
    static readonly Dictionary<string, string> NotShownFromSource = new()
    {
        ["EBPF1907"] = "needs hundreds of nesting levels, unreadable in a doc; CompilerRobustnessTests builds such code",
        ["EBPF2298"] = "depends on the machine (no CAP_BPF, BPF disabled) under 'ebpf build --verify', not on the source",
        ["EBPF2306"] = "a command-line / MSBuild value, not C#; the doc shows the command line, HelperRuleTests the parser",
        ["EBPF3021"] = "only a map type of the Ebpf API could give it, and users cannot declare map types (BpfMap's constructor is private protected)",
        ["EBPF4001"] = "a missing input file path, not C#",
        ["EBPF4003"] = "an unwritable output path, not C#",
        ["EBPF4004"] = "a missing Ebpf.dll next to the compiler, not C#",
        ["EBPF4005"] = "a missing --reference path, not C#",
        ["EBPF4101"] = "an MSBuild LangVersion value, not C#",
        ["EBPF4102"] = "an MSBuild Nullable value, not C#",
        ["EBPF4104"] = "the SDK failing to start the compiler process, not C#",
        ["EBPF4105"] = "an MSBuild EbpfVerify value the build task refuses, not C#",
        ["EBPF9001"] = "an internal compiler error: no valid input should produce it",
        ["EBPF9002"] = "an internal object-writer error: no valid input should produce it",
    };

    static readonly Lazy<string> Doc = new(() => File.ReadAllText(RepoPaths.Combine("docs", "diagnostics.md")));

    public static TheoryData<string> PairedIds => new(DiagnosticDescriptors.All.Select(d => d.Id).Where(id => !NotShownFromSource.ContainsKey(id)));

    [Fact]
    public void Every_id_has_a_wrong_and_right_pair_or_a_reason_why_not()
    {
        var missing = DiagnosticDescriptors.All.Select(d => d.Id)
            .Where(id => !NotShownFromSource.ContainsKey(id) && Examples(id) is null).ToList();
        Assert.True(missing.Count == 0, "no // wrong and // right examples in docs/diagnostics.md for: " + string.Join(", ", missing));
        var stale = NotShownFromSource.Keys.Where(id => DiagnosticDescriptors.Find(id) is null || Examples(id) is not null).ToList();
        Assert.True(stale.Count == 0, "listed as not shown from source but unknown or documented with a pair: " + string.Join(", ", stale));
    }

    [Fact]
    public void The_program_the_doc_says_fragments_run_in_is_the_one_they_are_compiled_in()
    {
        var shown = Regex.Match(Doc.Value, "```csharp\n(public struct Event.*?)```", RegexOptions.Singleline);
        Assert.True(shown.Success, "docs/diagnostics.md no longer shows the program fragments are compiled in");
        var shell = FlowProbes.Probe("");
        var declarations = shown.Groups[1].Value.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("public struct", StringComparison.Ordinal) || l.StartsWith("static ", StringComparison.Ordinal) || l.StartsWith("[BpfObject", StringComparison.Ordinal)).ToList();
        Assert.True(declarations.Count >= 7, string.Join("\n", declarations));
        Assert.All(declarations, d => Assert.Contains(d, shell, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PairedIds))]
    public async Task Wrong_example_gives_the_id_at_its_line_and_right_example_compiles_clean(string id)
    {
        var pair = Examples(id);
        Assert.True(pair is not null, $"{id}: no // wrong and // right blocks in its section");
        var (wrong, right) = pair.Value;

        var marked = Regex.Matches(wrong.Code, @"//\s*(error|warning|info)\s+(EBPF\d{4})").Select(m => (Id: m.Groups[2].Value, Line: LineOf(wrong.Code, m.Index))).ToList();
        Assert.True(marked.Count == 1 && marked[0].Id == id, $"{id}: the wrong example must mark one line '// error {id}', found: {string.Join(", ", marked)}");
        // A diagnostic about the input as a whole (no source location) is marked "(for the whole input)".
        int line = wrong.Code.Split('\n')[marked[0].Line].Contains("(for the whole input)", StringComparison.Ordinal) ? 0 : wrong.FirstLine + marked[0].Line;

        // A construct that breaks two rules at once names the other in the example: "(also EBPFnnnn: why)".
        var allowed = Regex.Matches(wrong.Code, @"\balso (EBPF\d{4})").Select(m => m.Groups[1].Value).Append(id).ToHashSet();
        var bad = Compile(wrong);
        AssertReportedAt(id, allowed, line, bad.Diagnostics, "compiler", wrong.Source);
        var good = Compile(right);
        Assert.True(good.Diagnostics.Count == 0, $"{id}: the right example has diagnostics:\n{string.Join("\n", good.Diagnostics)}\n{right.Source}");

        var clean = await Analyze(right);
        Assert.True(clean.IsEmpty, $"{id}: the analyzers report on the right example:\n{string.Join("\n", clean)}");
        if (AnalyzerIds.Contains(id)) AssertReportedAt(id, allowed, line, await Analyze(wrong), "analyzer", wrong.Source);
    }

    /// <summary>The fix works, not just compiles: the running kernel's verifier accepts the right example's programs.</summary>
    [SkippableTheory]
    [MemberData(nameof(PairedIds))]
    public void Right_example_is_accepted_by_the_kernel_verifier(string id)
    {
        Kernel.RequireBpf();
        var right = Examples(id)!.Value.Right;
        var result = Compile(right);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var collection = Collection.Load(Assert.Single(result.Objects).Spec);
        Assert.NotEmpty(collection.Programs);
    }

    static void AssertReportedAt(string id, IReadOnlySet<string> allowed, int line, IEnumerable<Diagnostic> diagnostics, string by, string source)
    {
        var all = diagnostics.ToList();
        string Show() => $"\n{string.Join("\n", all)}\n{source}";
        Assert.True(all.Count > 0 && all.All(d => allowed.Contains(d.Id)), $"{id}: the {by} must report only {string.Join(", ", allowed)} on the wrong example:{Show()}");
        Assert.True(all.Any(d => d.Id == id && (line == 0 ? !d.Location.IsInSource : d.Location.GetLineSpan().StartLinePosition.Line + 1 == line)),
            $"{id}: the {by} does not report it {(line == 0 ? "for the whole input" : $"on line {line}")}:{Show()}");
    }

    /// <summary>A compilable example: its full source, the line of the source its first line is on, and its target kernel.</summary>
    internal sealed record Example(string Code, string Source, int FirstLine, KernelVersion? Target);

    static (Example Wrong, Example Right)? Examples(string id)
    {
        var doc = Doc.Value;
        int start = doc.IndexOf($"<a id=\"{id.ToLowerInvariant()}\"></a>", StringComparison.Ordinal);
        if (start < 0) return null;
        int end = doc.IndexOf("<a id=", start + 10, StringComparison.Ordinal);
        var blocks = Regex.Matches(doc[start..(end < 0 ? doc.Length : end)], "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        var wrong = blocks.Where(b => b.StartsWith("// wrong", StringComparison.Ordinal)).ToList();
        var right = blocks.Where(b => b.StartsWith("// right", StringComparison.Ordinal)).ToList();
        if (wrong.Count != 1 || right.Count != 1) return null;
        return (Build(wrong[0]), Build(right[0]));
    }

    /// <summary>What a whole-file example without usings is compiled with (besides the compiler's implicit usings).</summary>
    const string WholeFileUsings = "using System.Runtime.CompilerServices; using System.Runtime.InteropServices; using Ebpf;";

    internal static Example Build(string code)
    {
        var target = Regex.Match(code, @"//\s*ebpf build --target-kernel (\S+)") is { Success: true } m ? KernelVersion.Parse(m.Groups[1].Value) : (KernelVersion?)null;
        if (code.Contains("[BpfObject", StringComparison.Ordinal) || Regex.IsMatch(code, @"^(public|internal|namespace|using) ", RegexOptions.Multiline))
        {
            bool hasUsings = Regex.IsMatch(code, @"^using \S+;", RegexOptions.Multiline);
            return new Example(code, hasUsings ? code : WholeFileUsings + "\n" + code, hasUsings ? 1 : 2, target);
        }
        const string BodyMarker = "/*BODY*/";
        var shell = FlowProbes.Probe(BodyMarker, tracepoint: code.Contains("args.", StringComparison.Ordinal));
        int at = shell.IndexOf(BodyMarker, StringComparison.Ordinal);
        var indented = code.TrimEnd('\n').Replace("\n", "\n        ", StringComparison.Ordinal);
        return new Example(code, shell[..at] + indented + shell[(at + BodyMarker.Length)..], LineOf(shell, at) + 1, target);
    }

    static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n');

    internal static BpfCompileResult Compile(Example example)
        => BpfCompiler.CompileSources(new[] { (example.Source, "Doc.cs") }, new BpfCompilerOptions { TargetKernel = example.Target, TracefsPath = Tracefs.Value });

    /// <summary>The tracepoint formats the examples' record structs are checked against (EBPF3103, EBPF3104), as
    /// Linux 6.18 prints them, so the examples give the same result on every build machine.</summary>
    static readonly Lazy<string> Tracefs = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"diagnostics-md-tracefs-{Environment.ProcessId}");
        const string Common = "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
            + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";
        void Write(string name, int id, string fields)
        {
            var dir = Path.Combine(root, "events", "syscalls", name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "format"), $"name: {name}\nID: {id}\nformat:\n{Common}{fields}\nprint fmt: \"\"\n");
        }
        Write("sys_enter_openat", 782, "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
            + "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n");
        Write("sys_enter_getppid", 305, "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    });

    /// <summary>The global usings the compiler adds (an SDK project's ImplicitUsings), for the analyzers' compilation.</summary>
    const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;";

    static DiagnosticAnalyzer[] Analyzers() => [new SubsetAnalyzer(), new ObjectAnalyzer(), new FlowAnalyzer(), new HelperAnalyzer()];

    static readonly HashSet<string> AnalyzerIds = Analyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();

    internal static async Task<ImmutableArray<Diagnostic>> Analyze(Example example)
    {
        var compilation = TestCompilations.Create(new[] { (example.Source, "Doc.cs"), (ImplicitUsings, "Usings.cs") });
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new HelperRuleTests.TargetOptions(example.Target?.ToString()));
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create(Analyzers()), options).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id.StartsWith("EBPF", StringComparison.Ordinal)).ToImmutableArray();
    }
}
