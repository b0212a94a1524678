using System.Collections.Generic;
using System.Linq;
using Ebpf.Object;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Rules.Helpers;

/// <summary>Which program types reach each method of an object class: a program's own type, and the types of
/// the programs that call a method (directly or through other methods with source). The IDE analyzer and
/// the compiler both ask this, so a helper call in a shared method is judged the same way by both.</summary>
public sealed class ProgramReach
{
    readonly Dictionary<IMethodSymbol, HashSet<ProgramType>> _types = new(SymbolEqualityComparer.Default);

    ProgramReach() { }

    /// <summary>The program types reaching <paramref name="method"/> (empty when no program of the class calls it).</summary>
    public IReadOnlyCollection<ProgramType> Of(IMethodSymbol method) =>
        _types.TryGetValue(method.OriginalDefinition, out var types) ? types : (IReadOnlyCollection<ProgramType>)System.Array.Empty<ProgramType>();

    /// <summary>Walks the calls from every program of <paramref name="objectClass"/>.</summary>
    public static ProgramReach Build(INamedTypeSymbol objectClass, Compilation compilation)
    {
        var reach = new ProgramReach();
        var models = new Dictionary<SyntaxTree, SemanticModel>();
        SemanticModel ModelOf(SyntaxTree tree)
        {
            if (!models.TryGetValue(tree, out var model))
#pragma warning disable RS1030 // the call graph spans methods: each method's tree is bound once per object class
                models[tree] = model = compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
            return model;
        }
        foreach (var program in objectClass.GetMembers().OfType<IMethodSymbol>())
        {
            if (ProgramAttributeKinds.OfMethod(program) is not { } kinds) continue;
            var queue = new Queue<IMethodSymbol>();
            queue.Enqueue(program.OriginalDefinition);
            while (queue.Count > 0)
            {
                var method = queue.Dequeue();
                if (!reach._types.TryGetValue(method, out var types)) reach._types[method] = types = new HashSet<ProgramType>();
                if (!types.Add(kinds.Type)) continue;
                foreach (var reference in method.DeclaringSyntaxReferences)
                {
                    var node = reference.GetSyntax();
                    var model = ModelOf(node.SyntaxTree);
                    foreach (var expression in node.DescendantNodes().OfType<ExpressionSyntax>())
                    {
                        if (expression is not (InvocationExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax)) continue;
                        if (model.GetSymbolInfo(expression).Symbol is IMethodSymbol callee
                            && callee.DeclaringSyntaxReferences.Length > 0
                            && SymbolEqualityComparer.Default.Equals(callee.ContainingAssembly, compilation.Assembly))
                            queue.Enqueue(callee.OriginalDefinition);
                    }
                }
            }
        }
        return reach;
    }
}
