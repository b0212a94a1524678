using System.Collections.Immutable;
using System.Linq;
using Ebpf.Rules.Subset;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Analyzers;

/// <summary>The IDE side of <see cref="SubsetRules"/>: reports the C#-subset diagnostics (EBPF1xxx)
/// while typing, in every method declared inside a <c>[BpfObject]</c> class.</summary>
/// <remarks>The compiler checks every method reachable from a program, wherever it is declared; the
/// analyzer sees one method at a time and so checks the object's own methods (a helper in another
/// class is checked by <c>ebpf build</c>). Recursion (EBPF1011) needs the call graph: compiler only.</remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SubsetAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        DiagnosticDescriptors.SubsetRules.Where(d => d != DiagnosticDescriptors.Recursion).ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = EbpfSymbols.Create(start.Compilation);
            if (symbols is null) return;
            var rules = new SubsetRules(symbols);
            start.RegisterOperationBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method || method.MethodKind is MethodKind.StaticConstructor) return;
                var objectClass = symbols.ContainingObjectClass(method);
                if (objectClass is null) return;
                var report = HelpLinks.Reporting(block.Options, block.ReportDiagnostic);
                rules.CheckSignature(method, report);
                foreach (var body in block.OperationBlocks)
                    if (body is IMethodBodyOperation or IBlockOperation)
                        rules.CheckBody(body, objectClass, report);
            });
        });
    }
}
