using Ebpf.Object;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>The checks the compiler runs on each function's optimized IR, each backing the source flow rule of the
/// same ID: what the verifier would refuse that the source analysis did not see (code after inlining, checks the
/// optimizer moved). They see IR only and report <see cref="IrFinding"/>s under the rule's ID; the frontend turns those
/// into located diagnostics of the catalog's descriptor with that ID.</summary>
public static class IrChecks
{
    static readonly (string Id, Func<IrFunction, IrCheckContext, IEnumerable<IrFinding>> Check)[] All =
    [
        (NullCheckBackstop.Id, (f, _) => NullCheckBackstop.Check(f)),
        (PacketRangeBackstop.Id, (f, _) => PacketRangeBackstop.Check(f)),
        (UnreleasedReferenceBackstop.Id, (f, _) => UnreleasedReferenceBackstop.Check(f)),
        (TracepointCommonFieldBackstop.Id, TracepointCommonFieldBackstop.Check),
    ];

    /// <summary>The IDs with an IR check.</summary>
    public static IEnumerable<string> Ids => All.Select(c => c.Id);

    /// <summary>Every check not switched off in <paramref name="disabled"/>, on <paramref name="function"/>.</summary>
    public static List<IrFinding> Run(IrFunction function, IrCheckContext context, IReadOnlyCollection<string> disabled)
        => All.Where(c => !disabled.Contains(c.Id)).SelectMany(c => c.Check(function, context)).ToList();
}

/// <summary>What the IR checks know besides the function: for a program's entry function, its program type.</summary>
public sealed record IrCheckContext(ProgramType? EntryProgramType);

/// <summary>What an IR check found: the rule it backs, the line info of the instruction at fault, and the rule's message
/// arguments, where <see cref="ConstructText"/> stands for the text of the C# construct at <see cref="Source"/>.</summary>
public sealed record IrFinding(string RuleId, SourceLocation? Source, IReadOnlyList<object> Arguments)
{
    /// <summary>The argument the frontend replaces by the C# construct the instruction came from.</summary>
    public static readonly object ConstructText = new ConstructTextMarker();

    sealed class ConstructTextMarker
    {
        public override string ToString() => "<construct>";
    }
}
