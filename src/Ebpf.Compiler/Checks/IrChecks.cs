using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Checks;

/// <summary>The checks the compiler runs on each function's optimized IR, each backing the source flow rule of the
/// same ID: what the verifier would refuse that the source analysis did not see (code after inlining, checks the
/// optimizer moved).</summary>
public static class IrChecks
{
    static readonly (DiagnosticDescriptor Rule, Func<IrFunction, Compilation, IEnumerable<Diagnostic>> Check)[] All =
    [
        (DiagnosticDescriptors.UncheckedPointer, NullCheckBackstop.Check),
        (DiagnosticDescriptors.PacketOutOfRange, PacketRangeBackstop.Check),
        (DiagnosticDescriptors.UnreleasedRecord, UnreleasedReferenceBackstop.Check),
    ];

    /// <summary>The IDs with an IR check.</summary>
    public static IEnumerable<string> Ids => All.Select(c => c.Rule.Id);

    /// <summary>Every check not switched off in <paramref name="disabled"/>, on <paramref name="function"/>.</summary>
    public static List<Diagnostic> Run(IrFunction function, Compilation compilation, IReadOnlyCollection<string> disabled)
        => All.Where(c => !disabled.Contains(c.Rule.Id)).SelectMany(c => c.Check(function, compilation)).ToList();
}
