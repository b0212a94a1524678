using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Ebpf.Rules.Model;

namespace Ebpf.Rules.Flow;

/// <summary>The source-level verifier rules (EBPF2103, EBPF2106-EBPF2111), run by the compiler on every
/// reached method and by <see cref="FlowAnalyzer"/> while typing: one forward dataflow per method over
/// Roslyn's <see cref="ControlFlowGraph"/> with a pointer-provenance lattice (<see cref="Provenance"/>).</summary>
public sealed class FlowRules
{
    readonly FlowContext _context;
    readonly ISet<string> _disabled;

    /// <param name="disabled">IDs not to report (a test switch: shows what the kernel says without the rule).</param>
    public FlowRules(EbpfSymbols symbols, IEnumerable<string>? disabled = null)
    {
        _context = new FlowContext(symbols);
        _disabled = new HashSet<string>(disabled ?? Array.Empty<string>(), StringComparer.Ordinal);
    }

    /// <summary>Every diagnostic the flow rules report.</summary>
    public static IEnumerable<DiagnosticDescriptor> Descriptors => new[]
    {
        DiagnosticDescriptors.DivisionByZeroSemantics, DiagnosticDescriptors.UncheckedPointer, DiagnosticDescriptors.PacketOutOfRange,
        DiagnosticDescriptors.UnreleasedRecord, DiagnosticDescriptors.UnboundedLoop, DiagnosticDescriptors.UnboundedHelperSize,
        DiagnosticDescriptors.TracepointCommonField,
    };

    /// <summary>Checks one method; <paramref name="body"/> is its <see cref="IMethodBodyOperation"/> (or a root block).</summary>
    public void CheckMethod(IMethodSymbol method, IOperation? body, Action<Diagnostic> report)
    {
        if (body is null || method.MethodKind == MethodKind.LocalFunction) return;
        var cfg = FlowContext.CreateGraph(body);
        if (cfg is null) return;
        var seen = new HashSet<(string, Location)>();
        MethodFlow.Check(_context, method, cfg, (descriptor, location, args, properties) =>
        {
            if (_disabled.Contains(descriptor.Id) || !seen.Add((descriptor.Id, location))) return;
            report(Diagnostic.Create(descriptor, location, properties, MessageArguments.OneLine(args)));
        });
    }
}

/// <summary>How a flow reports a finding: <paramref name="properties"/> carry what a code fix needs
/// (<see cref="PacketCheck"/>).</summary>
public delegate void FlowReport(DiagnosticDescriptor descriptor, Location location, object[] args, ImmutableDictionary<string, string?>? properties = null);

/// <summary>What the flows of one compilation share: the symbols and the graphs of callees followed inline.</summary>
sealed class FlowContext
{
    readonly ConcurrentDictionary<IMethodSymbol, ControlFlowGraph?> _graphs = new(SymbolEqualityComparer.Default);

    public FlowContext(EbpfSymbols symbols) => Symbols = symbols;

    public EbpfSymbols Symbols { get; }

    /// <summary>Sizes and field offsets as the compiler lays types out: what a packet access covers, where a field is.</summary>
    public TypeLayouts Layouts { get; } = new();

    public static ControlFlowGraph? CreateGraph(IOperation body) => body switch
    {
        IMethodBodyOperation m => ControlFlowGraph.Create(m),
        IBlockOperation { Parent: null } b => ControlFlowGraph.Create(b),
        _ => null,
    };

    /// <summary>The graph of a method with source in this compilation, or null.</summary>
    public ControlFlowGraph? GraphOf(IMethodSymbol method) => _graphs.GetOrAdd(method.OriginalDefinition, m =>
    {
        foreach (var reference in m.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (!Symbols.Compilation.ContainsSyntaxTree(syntax.SyntaxTree)) continue;
            var operation = OperationTree.Of(Symbols.Compilation, syntax);
            if (operation is not null && CreateGraph(operation) is { } graph) return graph;
        }
        return null;
    });
}
