using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Checks;

/// <summary>The checks the compiler runs on each function's optimized IR, each backing the source flow rule of the
/// same ID: what the verifier would refuse that the source analysis did not see (code after inlining, checks the
/// optimizer moved).</summary>
public static class IrChecks
{
    static readonly (DiagnosticDescriptor Rule, Func<IrFunction, IrCheckContext, IEnumerable<Diagnostic>> Check)[] All =
    [
        (DiagnosticDescriptors.UncheckedPointer, (f, c) => NullCheckBackstop.Check(f, c.Compilation)),
        (DiagnosticDescriptors.PacketOutOfRange, (f, c) => PacketRangeBackstop.Check(f, c.Compilation)),
        (DiagnosticDescriptors.UnreleasedRecord, (f, c) => UnreleasedReferenceBackstop.Check(f, c.Compilation)),
        (DiagnosticDescriptors.TracepointCommonField, TracepointCommonFieldBackstop.Check),
    ];

    /// <summary>The IDs with an IR check.</summary>
    public static IEnumerable<string> Ids => All.Select(c => c.Rule.Id);

    /// <summary>Every check not switched off in <paramref name="disabled"/>, on <paramref name="function"/>.</summary>
    public static List<Diagnostic> Run(IrFunction function, IrCheckContext context, IReadOnlyCollection<string> disabled)
        => All.Where(c => !disabled.Contains(c.Rule.Id)).SelectMany(c => c.Check(function, context)).ToList();
}

/// <summary>What the IR checks know besides the function: the compilation (for locations) and, for a program's entry
/// function, its program type.</summary>
public sealed record IrCheckContext(Compilation Compilation, ProgramType? EntryProgramType);
