using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Helpers;

/// <summary>The IDE side of <see cref="HelperRules"/>: the kernel ABI diagnostics (EBPF23xx) while typing, in every
/// method of a <c>[BpfObject]</c> class. The target kernel is the MSBuild property <c>EbpfTargetKernel</c>
/// (a CompilerVisibleProperty: <c>build_property.EbpfTargetKernel</c>).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HelperAnalyzer : DiagnosticAnalyzer
{
    public const string TargetKernelProperty = "build_property.EbpfTargetKernel";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.HelperRules.ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = EbpfSymbols.Create(start.Compilation);
            if (symbols is null) return;
            start.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(TargetKernelProperty, out var targetText);
            var targetDiagnostics = new ConcurrentBag<Diagnostic>();
            var target = HelperRules.ParseTarget(targetText, Location.None, targetDiagnostics.Add);
            var rules = new HelperRules(symbols, target);
            var reach = new ConcurrentDictionary<INamedTypeSymbol, ProgramReach>(SymbolEqualityComparer.Default);

            start.RegisterSymbolAction(symbol =>
            {
                if (symbol.Symbol is INamedTypeSymbol type && symbols.IsBpfObjectClass(type))
                    rules.CheckObject(type, HelpLinks.Reporting(symbol.Options, symbol.ReportDiagnostic));
            }, SymbolKind.NamedType);

            start.RegisterOperationBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method) return;
                var objectClass = symbols.ContainingObjectClass(method);
                if (objectClass is null) return;
                var types = reach.GetOrAdd(objectClass, c => ProgramReach.Build(c, start.Compilation)).Of(method);
                foreach (var body in block.OperationBlocks)
                    if (body is IMethodBodyOperation or IBlockOperation)
                        rules.CheckMethod(method, body, objectClass, types, HelpLinks.Reporting(block.Options, block.ReportDiagnostic));
            });

            start.RegisterCompilationEndAction(end =>
            {
                var report = HelpLinks.Reporting(end.Options, end.ReportDiagnostic);
                foreach (var d in targetDiagnostics) report(d);
            });
        });
    }
}
