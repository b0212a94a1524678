using System.Text;
using Ebpf.Compiler.Codegen;
using Ebpf.Rules.Model;
using Ebpf.Compiler.Tests.Pipeline;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Compiles C# probe source with the code generator alone: discovery gives the object model,
/// then each program and (transitively) each BPF-to-BPF callee goes through <see cref="FunctionCompiler"/>.</summary>
public static class CodegenHarness
{
    public sealed record Result(BpfObjectModel Model, IReadOnlyList<CompiledFunction> Functions, IReadOnlyList<Diagnostic> Diagnostics,
        IReadOnlyList<(string Function, string Stage, string Text)> Dumps)
    {
        public CompiledFunction Function(string name) => Functions.Single(f => f.Name == name);
        public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
        public string Dump(string function, string stage) => Dumps.Last(d => d.Function == function && d.Stage == stage).Text;
    }

    /// <summary>Compiles every program of the one [BpfObject] class in <paramref name="source"/>.</summary>
    public static Result Compile(string source, string path = "Probe.cs", Func<string, bool>? dumpStage = null)
        => Compile(new[] { (source, path) }, dumpStage);

    public static Result Compile(IEnumerable<(string Source, string Path)> files, Func<string, bool>? dumpStage = null)
    {
        var compilation = TestCompilations.Create(files);
        TestCompilations.AssertNoErrors(compilation);
        var diagnostics = new List<Diagnostic>();
        var layouts = new TypeLayouts();
        var model = Assert.Single(BpfObjectDiscovery.Discover(compilation, layouts, diagnostics));
        Assert.True(!diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), string.Join("\n", diagnostics));
        var dumps = new List<(string, string, string)>();
        var compiler = new FunctionCompiler(new FunctionCompilerOptions
        {
            Dump = (stage, function, text) => dumps.Add((function, stage, text)),
            DumpStage = dumpStage ?? (s => s is "frontend" or "optimized" or "isel" or "regalloc" or "emit"),
        });
        var context = new CodegenContext(compilation, model, layouts);
        var functions = new List<CompiledFunction>();
        var queue = new Queue<(IMethodSymbol Method, bool Entry)>(model.Programs.Select(p => (p.Method, true)));
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        while (queue.Count > 0)
        {
            var (method, entry) = queue.Dequeue();
            if (!seen.Add(method)) continue;
            var f = compiler.Compile(method, entry, context, diagnostics);
            if (f is null) continue;
            functions.Add(f);
            foreach (var callee in f.Callees) queue.Enqueue((context.Functions.MethodOf(callee), false));
        }
        return new Result(model, functions, diagnostics, dumps);
    }

    /// <summary>The function as llvm-objdump would print it (slot index, instruction), with relocations.</summary>
    public static string Disassembly(CompiledFunction f)
    {
        var sb = new StringBuilder();
        int slot = 0;
        for (int i = 0; i < f.Instructions.Count; i++)
        {
            var insn = f.Instructions[i];
            sb.Append(slot.ToString().PadLeft(4)).Append(": ").Append(Asm.InstructionFormatter.Format(insn));
            foreach (var r in f.Relocations.Where(r => r.InstructionIndex == i)) sb.Append("   ; ").Append(r.Kind).Append(' ').Append(r.Symbol);
            sb.Append('\n');
            slot += insn.Slots;
        }
        return sb.ToString();
    }

    public static int SlotCount(CompiledFunction f) => f.Instructions.Sum(i => i.Slots);
}
