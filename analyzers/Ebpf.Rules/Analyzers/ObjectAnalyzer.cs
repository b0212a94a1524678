using System.Collections.Immutable;
using Ebpf.Rules.Model;
using Ebpf.Rules.Subset;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Rules.Analyzers;

/// <summary>The IDE side of discovery and the call graph: for each <c>[BpfObject]</c> class, the object
/// checks the compiler makes before code generation (EBPF3xxx: program signatures and attributes,
/// maps, globals, license), recursion among the methods its programs reach (EBPF1011), and the
/// C#-subset rules in reached methods declared outside the class (the <see cref="SubsetAnalyzer"/>
/// covers the class's own methods as they are edited).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ObjectAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        DiagnosticDescriptors.ObjectRules.Concat(DiagnosticDescriptors.SubsetRules).Distinct().ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = EbpfSymbols.Create(start.Compilation);
            if (symbols is null) return;
            var rules = new SubsetRules(symbols);
            start.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                var diagnostics = new List<Diagnostic>();
                if (symbols.IsBpfObjectClass(type))
                    CheckObject(type, symbols, rules, diagnostics, symbolContext.CancellationToken);
                else if (symbols.ContainingObjectClass(type) is null)
                    BpfObjectDiscovery.CheckProgramsOutsideObjects(type, diagnostics);
                var report = HelpLinks.Reporting(symbolContext.Options, symbolContext.ReportDiagnostic);
                foreach (var diagnostic in diagnostics)
                    if (diagnostic.Location.IsInSource) report(diagnostic);
            }, SymbolKind.NamedType);
        });
    }

    static void CheckObject(INamedTypeSymbol type, EbpfSymbols symbols, SubsetRules rules, List<Diagnostic> diagnostics, CancellationToken cancel)
    {
        var model = BpfObjectDiscovery.DiscoverObject(type, symbols, new TypeLayouts(), diagnostics);
        if (model is null) return;
        cancel.ThrowIfCancellationRequested();
        var graph = CallGraph.Build(model.Programs.Select(p => p.Method), symbols);
        foreach (var method in graph.Methods)
        {
            // The class's own methods are checked per method by SubsetAnalyzer.
            if (method.MethodKind == MethodKind.LocalFunction || symbols.ContainingObjectClass(method) is not null) continue;
            rules.CheckMethod(method, graph.BodyOf(method), type, diagnostics.Add);
        }
        graph.ReportRecursion(diagnostics);
    }
}
