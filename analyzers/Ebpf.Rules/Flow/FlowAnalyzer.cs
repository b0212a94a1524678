using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Flow;

/// <summary>The IDE side of <see cref="FlowRules"/>: reports the source-level verifier rules while typing,
/// in every method declared inside a <c>[BpfObject]</c> class (the compiler runs the same rules on every
/// method a program reaches).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FlowAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = FlowRules.Descriptors.ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = EbpfSymbols.Create(start.Compilation);
            if (symbols is null) return;
            var rules = new FlowRules(symbols);
            start.RegisterOperationBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method) return;
                if (symbols.ContainingObjectClass(method) is null) return;
                var body = block.OperationBlocks.Select(Root).FirstOrDefault(b => b is IMethodBodyOperation or IBlockOperation);
                rules.CheckMethod(method, body, HelpLinks.Reporting(block.Options, block.ReportDiagnostic));
            });
        });
    }

    static IOperation Root(IOperation operation)
    {
        while (operation.Parent is { } parent) operation = parent;
        return operation;
    }
}
