using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Checks;

/// <summary>The compiler's own check of EBPF2111 on optimized IR, behind the source flow rule of the same ID: in a
/// tracepoint program, a load from the context below <see cref="AbiLimits.TracepointHiddenCommonBytes"/> (the record's
/// common fields), which the verifier refuses ("invalid bpf_context access").</summary>
public static class TracepointCommonFieldBackstop
{
    public static IEnumerable<Diagnostic> Check(IrFunction function, IrCheckContext context)
    {
        if (context.EntryProgramType != ProgramType.Tracepoint) yield break;
        foreach (var load in function.Blocks.SelectMany(b => b.Instructions).OfType<LoadInstruction>())
        {
            if (ContextOffset(load.Address) is not long start) continue;
            long offset = start + load.Offset;
            if (offset >= AbiLimits.TracepointHiddenCommonBytes) continue;
            var location = IrSourceLocations.Find(load, context.Compilation, out string text);
            yield return Diagnostic.Create(DiagnosticDescriptors.TracepointCommonField, location, text, offset);
        }
    }

    /// <summary>The constant offset of <paramref name="pointer"/> from the program's context argument, or null.</summary>
    static long? ContextOffset(Value pointer)
        => PointerOffsets.FromRoot(pointer, v => v is Parameter { Type: { IsPointer: true, Pointee: PointerKind.Context } });
}
