using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Compiler.Codegen;

/// <summary>The machine code of one BPF function (entry program or sub-program): plain data, no Roslyn symbol.</summary>
/// <param name="Id">The function's id: the frontend's name for its method, by which calls name it.</param>
/// <param name="Name">Symbol name (method name; made unique for overloads/generic instances).</param>
/// <param name="Instructions">Final instructions, jumps resolved.</param>
/// <param name="Relocations">Map / global-data / call references (kinds and symbol naming as in <see cref="Relocation"/>).</param>
/// <param name="LineInfos">Slot offsets relative to this function's first instruction, C# file, 1-based line and column, line text.</param>
/// <param name="Callees">Ids of the sub-programs this function calls (BPF-to-BPF); the pipeline compiles each once.</param>
/// <param name="Prototype">Its C# parameters and result, for its BTF FUNC_PROTO.</param>
/// <param name="StackSize">Bytes of stack used (the frame's size after register allocation and slot sharing).</param>
/// <param name="Frame">The frame's slots and spills, for stack diagnostics; null when the code generator gives none.</param>
public sealed record CompiledFunction(
    string Id,
    string Name,
    IReadOnlyList<Instruction> Instructions,
    IReadOnlyList<Relocation> Relocations,
    IReadOnlyList<BtfLineInfo> LineInfos,
    IReadOnlyList<string> Callees,
    Types.FunctionPrototype Prototype,
    int StackSize,
    Backend.StackFrameReport? Frame = null)
{
    /// <summary>CO-RE relocations: slot offset from this function's first instruction and what the loader computes there.</summary>
    public IReadOnlyList<(int Slot, IR.CoreRelocationRequest Request)> CoreRelocations { get; init; } = [];
}
