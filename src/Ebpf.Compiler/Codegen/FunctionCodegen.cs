using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Codegen;

// CONTRACT between the pipeline (model helper) and codegen (codegen helper).

/// <summary>What codegen needs to know about the object a function belongs to.</summary>
public sealed record CodegenContext(Compilation Compilation, BpfObjectModel Object, ITypeLayouts Layouts)
{
    /// <summary>The <c>--dump-after</c> request, or null: codegen prints its intermediate form after a stage
    /// when <c>Dump.Wants(stageName)</c> (its own stage names, e.g. after each pass).</summary>
    public Ebpf.Compiler.Pipeline.CompilerDump? Dump { get; init; }

    /// <summary>The ids functions are known by after the frontend (calls, <see cref="CompiledFunction.Callees"/>).</summary>
    public Frontend.FunctionIds Functions { get; } = new();

    /// <summary>The plain types the stages after the frontend see (one per C# type of the object).</summary>
    public Frontend.DataTypeBuilder Types => _types ??= new Frontend.DataTypeBuilder(Layouts);
    Frontend.DataTypeBuilder? _types;
}

/// <summary>Compiles one method body to BPF. Reports every construct outside the subset as a
/// located diagnostic (catalog IDs) and then returns null; never throws for bad input.</summary>
public interface IFunctionCompiler
{
    CompiledFunction? Compile(IMethodSymbol method, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics);
}
