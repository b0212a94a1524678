using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Rules.Model;
using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Codegen;

// CONTRACT between the pipeline (model helper) and codegen (codegen helper).

/// <summary>What codegen needs to know about the object a function belongs to.</summary>
public sealed record CodegenContext(Compilation Compilation, BpfObjectModel Object, ITypeLayouts Layouts)
{
    /// <summary>The <c>--dump-after</c> request, or null: codegen prints its intermediate form after a stage
    /// when <c>Dump.Wants(stageName)</c> (its own stage names, e.g. after each pass).</summary>
    public Ebpf.Compiler.Pipeline.CompilerDump? Dump { get; init; }
}

/// <summary>The machine code of one BPF function (entry program or sub-program).</summary>
/// <param name="Name">Symbol name (method name; made unique for overloads/generic instances).</param>
/// <param name="Instructions">Final instructions, jumps resolved.</param>
/// <param name="Relocations">Map / global-data / call references (kinds and symbol naming as in <see cref="Relocation"/>).</param>
/// <param name="LineInfos">Slot offsets relative to this function's first instruction, C# file, 1-based line and column, line text.</param>
/// <param name="Callees">Sub-programs this function calls (BPF-to-BPF); the pipeline compiles each once.</param>
/// <param name="StackSize">Bytes of stack used (the frame's size after register allocation and slot sharing).</param>
/// <param name="Frame">The frame's slots and spills, for stack diagnostics; null when the code generator gives none.</param>
public sealed record CompiledFunction(
    IMethodSymbol Method,
    string Name,
    IReadOnlyList<Instruction> Instructions,
    IReadOnlyList<Relocation> Relocations,
    IReadOnlyList<BtfLineInfo> LineInfos,
    IReadOnlyList<IMethodSymbol> Callees,
    int StackSize,
    Backend.StackFrameReport? Frame = null)
{
    /// <summary>CO-RE relocations: slot offset from this function's first instruction and what the loader computes there.</summary>
    public IReadOnlyList<(int Slot, IR.CoreRelocationRequest Request)> CoreRelocations { get; init; } = [];
}

/// <summary>Compiles one method body to BPF. Reports every construct outside the subset as a
/// located diagnostic (catalog IDs) and then returns null; never throws for bad input.</summary>
public interface IFunctionCompiler
{
    CompiledFunction? Compile(IMethodSymbol method, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics);
}
