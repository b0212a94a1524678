using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Compiler.Codegen;
using Ebpf.Object;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Compiler.Tests.Pipeline;

/// <summary>A test double for the code generator, so the driver's stages (discovery, rules, call graph,
/// BTF, object assembly, ELF) are tested on their own: every function becomes <c>call callee...;
/// r1 = map ll...; r0 = 0; exit</c>, with a Call relocation per source method it calls, a Map relocation
/// per map it names, and a line_info record for its first line.</summary>
public sealed class ReturnZeroCompiler : IFunctionCompiler
{
    public Func<IMethodSymbol, int> StackSize { get; init; } = _ => 16;
    public Func<IMethodSymbol, Exception?> Throw { get; init; } = _ => null;
    public List<string> Compiled { get; } = new();

    public CompiledFunction? Compile(IMethodSymbol method, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics)
    {
        if (Throw(method) is { } e) throw e;
        Compiled.Add(method.Name);
        var body = method.DeclaringSyntaxReferences.Select(r => context.Compilation.GetSemanticModel(r.SyntaxTree).GetOperation(r.GetSyntax())).First()!;
        var callees = body.Descendants().OfType<IInvocationOperation>().Select(i => i.TargetMethod)
            .Where(m => m.DeclaringSyntaxReferences.Length > 0).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToList();
        var maps = body.Descendants().OfType<IFieldReferenceOperation>().Select(f => context.Object.FindMap(f.Field)).OfType<Ebpf.Rules.Model.MapModel>()
            .Distinct().ToList();
        var instructions = new List<Instruction>();
        var relocations = new List<Relocation>();
        foreach (var callee in callees)
        {
            relocations.Add(new Relocation(instructions.Count, RelocationKind.Call, callee.Name));
            instructions.Add(Insn.CallLocal());
        }
        foreach (var map in maps)
        {
            relocations.Add(new Relocation(instructions.Count, RelocationKind.Map, map.Name));
            instructions.Add(Insn.LoadImm64(Register.R1, 0));
        }
        instructions.Add(Insn.Mov64(Register.R0, 0));
        instructions.Add(Insn.Exit());
        var span = method.Locations[0].GetLineSpan();
        var text = method.Locations[0].SourceTree!.GetText().Lines[span.StartLinePosition.Line].ToString();
        var lines = new[] { new BtfLineInfo(0, span.Path, text, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1) };
        return new CompiledFunction(context.Functions.IdOf(method), method.Name, instructions, relocations, lines,
            callees.Select(context.Functions.IdOf).ToList(), context.Types.Prototype(method), StackSize(method));
    }
}
