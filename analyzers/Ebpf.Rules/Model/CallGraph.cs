using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Model;

/// <summary>The methods with C# source reachable from an object's programs, found by walking their bodies'
/// calls (method groups passed as helper callbacks included), and the recursive calls among them
/// (EBPF1011: the verifier rejects recursion). Generic methods are nodes by their definition; local
/// functions are nodes of their own (their bodies are also part of the enclosing method's body).</summary>
public sealed class CallGraph
{
    readonly Dictionary<IMethodSymbol, List<(IMethodSymbol Callee, IOperation Site)>> _edges = new(SymbolEqualityComparer.Default);
    readonly Dictionary<IMethodSymbol, IOperation?> _bodies = new(SymbolEqualityComparer.Default);
    readonly List<IMethodSymbol> _order = new();
    readonly EbpfSymbols _symbols;

    CallGraph(EbpfSymbols symbols) => _symbols = symbols;

    /// <summary>Every reachable method (definitions), programs first, in discovery order.</summary>
    public IReadOnlyList<IMethodSymbol> Methods => _order;

    /// <summary>The body operation of a reachable method (null when it has none, e.g. extern).</summary>
    public IOperation? BodyOf(IMethodSymbol method) => _bodies.TryGetValue(method.OriginalDefinition, out var body) ? body : null;

    /// <summary>Direct calls from <paramref name="method"/> to methods with source.</summary>
    public IEnumerable<IMethodSymbol> CalleesOf(IMethodSymbol method)
        => _edges.TryGetValue(method.OriginalDefinition, out var edges) ? edges.Select(e => e.Callee) : Enumerable.Empty<IMethodSymbol>();

    public static CallGraph Build(IEnumerable<IMethodSymbol> roots, EbpfSymbols symbols)
    {
        var graph = new CallGraph(symbols);
        var queue = new Queue<IMethodSymbol>();
        foreach (var root in roots) graph.Visit(root.OriginalDefinition, queue);
        while (queue.Count > 0)
        {
            var method = queue.Dequeue();
            foreach (var (callee, _) in graph._edges[method]) graph.Visit(callee, queue);
        }
        return graph;
    }

    void Visit(IMethodSymbol method, Queue<IMethodSymbol> queue)
    {
        if (_edges.ContainsKey(method)) return;
        var body = Body(method, _symbols.Compilation);
        _bodies[method] = body;
        _edges[method] = body is null ? new() : CallsIn(body).ToList();
        _order.Add(method);
        queue.Enqueue(method);
    }

    /// <summary>Calls in <paramref name="body"/> to methods with source (not into nested local functions' bodies:
    /// those are nodes of their own).</summary>
    IEnumerable<(IMethodSymbol, IOperation)> CallsIn(IOperation body)
    {
        var stack = new Stack<IOperation>(body.ChildOperations.Reverse());
        while (stack.Count > 0)
        {
            var operation = stack.Pop();
            IMethodSymbol? target = operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IMethodReferenceOperation reference => reference.Method,
                IObjectCreationOperation { Constructor: { } constructor } => constructor,
                IPropertyReferenceOperation { Property.GetMethod: { } getter } => getter,
                _ => null,
            };
            // Instance methods of classes and interfaces are never compiled (EBPF1005/EBPF1020 at the call).
            bool onObject = target is { IsStatic: false, ContainingType.IsReferenceType: true };
            if (target != null && !onObject && HasSource(target) && !_symbols.IsApi(target))
                yield return (target.OriginalDefinition, operation);
            if (operation is ILocalFunctionOperation) continue;
            foreach (var child in operation.ChildOperations.Reverse()) stack.Push(child);
        }
    }

    static bool HasSource(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition.PartialImplementationPart ?? method.OriginalDefinition;
        return definition.DeclaringSyntaxReferences.Length > 0 && !Intrinsics.IsIntrinsic(method);
    }

    /// <summary>The body to compile: the method's <see cref="IMethodBodyOperation"/>, or a local function's operation.</summary>
    public static IOperation? Body(IMethodSymbol method, Compilation compilation)
    {
        var definition = method.OriginalDefinition.PartialImplementationPart ?? method.OriginalDefinition;
        foreach (var reference in definition.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (syntax is not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax)) continue;
            var operation = OperationTree.Of(compilation, syntax);
            if (operation is ILocalFunctionOperation local) return (IOperation?)local.Body ?? local;
            if (operation != null) return operation;
        }
        return null;
    }

    /// <summary>Reports each recursive call (a call that closes a cycle of the graph) as EBPF1011 at the call.</summary>
    public void ReportRecursion(ICollection<Diagnostic> diagnostics)
    {
        var state = new Dictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default); // 1 on the path, 2 done
        var path = new List<IMethodSymbol>();
        foreach (var root in _order) Search(root);

        void Search(IMethodSymbol method)
        {
            if (state.TryGetValue(method, out var s) && s != 0) return;
            state[method] = 1;
            path.Add(method);
            foreach (var (callee, site) in _edges[method])
            {
                if (state.TryGetValue(callee, out var calleeState) && calleeState == 1)
                {
                    var cycle = path.Skip(path.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, callee))).Append(callee);
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Recursion, site.Syntax.GetLocation(), callee.Name,
                        string.Join(" -> ", cycle.Select(m => m.Name))));
                }
                else
                {
                    Search(callee);
                }
            }
            path.RemoveAt(path.Count - 1);
            state[method] = 2;
        }
    }
}
