using System.Text.RegularExpressions;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Compiler.Tests.Language;

/// <summary>Every <c>```csharp</c> block of docs/*.md and README.md compiles: a probe (a <c>[BpfObject]</c>
/// class) through the whole eBPF compiler, user-space code as a C# program against the API and the
/// runtime. A block that shows a mistake (marked <c>// error EBPFnnnn</c>) is a fragment in the middle of a
/// probe; it must be valid C# syntax as statements or members, its error being the point.</summary>
public class DocumentationExampleTests
{
    public static IEnumerable<object[]> Blocks()
    {
        // docs/testing.md's examples are xunit tests against Ebpf.Testing: Ebpf.Testing.Tests compiles and runs them.
        var files = Directory.GetFiles(RepoPaths.Combine("docs"), "*.md").Where(f => Path.GetFileName(f) != "testing.md")
            .Append(RepoPaths.Combine("README.md")).Order();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            int index = 0;
            foreach (Match m in Regex.Matches(text, "```csharp\\n(.*?)```", RegexOptions.Singleline))
            {
                int line = text[..m.Index].Count(c => c == '\n') + 1;
                yield return new object[] { $"{Path.GetFileName(file)}:{line}", m.Groups[1].Value, index++ };
            }
        }
    }

    [Fact]
    public void The_docs_have_csharp_examples() => Assert.True(Blocks().Count() >= 30);

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Example_compiles(string where, string code, int index)
    {
        _ = index;
        // docs/diagnostics.md's wrong/right pairs: DiagnosticDocsTests compiles each and checks what it reports.
        if (code.StartsWith("// wrong", StringComparison.Ordinal) || code.StartsWith("// right", StringComparison.Ordinal)) return;
        if (code.Contains("[BpfObject", StringComparison.Ordinal) && !code.Contains("// error", StringComparison.Ordinal))
        {
            var source = "using Ebpf;\n" + code;
            var result = BpfCompiler.CompileSources(new[] { (source, where) });
            Assert.True(result.Success, $"{where}:\n" + string.Join("\n", result.Diagnostics));
            return;
        }
        // Fragments: a block that shows a mistake, or statements and members without usings (the parts of a
        // probe other docs show around a point).
        if (code.Contains("// error", StringComparison.Ordinal) || !code.Contains("using ", StringComparison.Ordinal))
        {
            // A fragment of a probe: statements or members, syntactically valid.
            var asMembers = CSharpSyntaxTree.ParseText("unsafe class C {\n" + code + "\n}", new CSharpParseOptions(LanguageVersion.Preview));
            var asStatements = CSharpSyntaxTree.ParseText("unsafe class C { void M() {\n" + code + "\n} }", new CSharpParseOptions(LanguageVersion.Preview));
            var asProgram = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)); // statements, then types
            Assert.True(!asMembers.GetDiagnostics().Any() || !asStatements.GetDiagnostics().Any() || !asProgram.GetDiagnostics().Any(),
                $"{where}: neither members nor statements:\n{string.Join("\n", asStatements.GetDiagnostics())}");
            return;
        }
        // User-space code: a top-level program against the API and the runtime.
        var tree = CSharpSyntaxTree.ParseText("using System; using System.Collections.Generic; using System.IO; using System.Linq; using System.Threading; using System.Threading.Tasks; using Ebpf;\n" + code,
            new CSharpParseOptions(LanguageVersion.Preview), where);
        bool topLevel = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();
        var references = TestCompilations.Create("").References.Append(MetadataReference.CreateFromFile(typeof(Ebpf.Runtime.Collection).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Ebpf.Object.ObjectSpec).Assembly.Location));
        var compilation = CSharpCompilation.Create("Example", new[] { tree }, references.Distinct(),
            new CSharpCompilationOptions(topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"{where}:\n" + string.Join("\n", errors));
    }
}
