using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>The compiler's own check of EBPF2111 on optimized IR, behind the source flow rule of the same ID: in a
/// tracepoint program, a load from the context below <see cref="AbiLimits.TracepointHiddenCommonBytes"/> (the record's
/// common fields), which the verifier refuses ("invalid bpf_context access").</summary>
public static class TracepointCommonFieldBackstop
{
    /// <summary>The catalog ID of the rule it backs (<c>DiagnosticDescriptors.TracepointCommonField</c>).</summary>
    public const string Id = "EBPF2111";

    public static IEnumerable<IrFinding> Check(IrFunction function, IrCheckContext context)
    {
        if (context.EntryProgramType != ProgramType.Tracepoint) yield break;
        foreach (var load in function.Blocks.SelectMany(b => b.Instructions).OfType<LoadInstruction>())
        {
            if (ContextOffset(load.Address) is not long start) continue;
            long offset = start + load.Offset;
            if (offset >= AbiLimits.TracepointHiddenCommonBytes) continue;
            yield return new IrFinding(Id, load.Location, [IrFinding.ConstructText, offset]);
        }
    }

    /// <summary>The constant offset of <paramref name="pointer"/> from the program's context argument, or null.</summary>
    static long? ContextOffset(Value pointer)
        => PointerOffsets.FromRoot(pointer, v => v is Parameter { Type: { IsPointer: true, Pointee: PointerKind.Context } });
}
