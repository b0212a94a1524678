using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Rules.Analyzers;

/// <summary>Suppresses CS0649 ("field is never assigned to") on the <c>static readonly</c> globals of
/// <c>[BpfObject]</c> classes: they are <c>.rodata</c> variables that user space sets before load
/// (libbpf's <c>const volatile</c> idiom), so never assigning them in C# is the intended use and
/// projects with warnings as errors must still build.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReadOnlyGlobalSuppressor : DiagnosticSuppressor
{
    /// <summary>The suppression of CS0649 for read-only globals.</summary>
    public static readonly SuppressionDescriptor ReadOnlyGlobal = new(
        "EBPFSPR0649", "CS0649",
        "A static readonly field of a [BpfObject] class is a .rodata global that user space sets before the object is loaded.");

    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(ReadOnlyGlobal);

    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        var symbols = EbpfSymbols.Create(context.Compilation);
        if (symbols is null) return;
        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            if (tree is null) continue;
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
            var field = context.GetSemanticModel(tree).GetDeclaredSymbol(node, context.CancellationToken) as IFieldSymbol;
            if (field is { IsStatic: true, IsReadOnly: true }
                && symbols.IsBpfObjectClass(field.ContainingType)
                && !symbols.IsMapType(field.Type))
                context.ReportSuppression(Suppression.Create(ReadOnlyGlobal, diagnostic));
        }
    }
}
