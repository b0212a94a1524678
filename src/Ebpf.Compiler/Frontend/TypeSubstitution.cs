using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>Monomorphization: the type arguments of the generic method being compiled, applied to
/// every type its body mentions (the operations of a generic body speak of <c>T</c>; the code for
/// <c>Read&lt;EthernetHeader&gt;</c> needs the size and layout of <c>EthernetHeader</c>).</summary>
internal sealed class TypeSubstitution
{
    readonly Dictionary<ITypeParameterSymbol, ITypeSymbol> _map = new(SymbolEqualityComparer.Default);
    readonly Compilation _compilation;

    TypeSubstitution(Compilation compilation) => _compilation = compilation;

    public static TypeSubstitution For(IMethodSymbol method, Compilation compilation)
    {
        var s = new TypeSubstitution(compilation);
        var definition = method.OriginalDefinition;
        for (int i = 0; i < definition.TypeParameters.Length && i < method.TypeArguments.Length; i++)
            if (!SymbolEqualityComparer.Default.Equals(definition.TypeParameters[i], method.TypeArguments[i]))
                s._map[definition.TypeParameters[i]] = method.TypeArguments[i];
        return s;
    }

    public bool IsEmpty => _map.Count == 0;

    public ITypeSymbol Apply(ITypeSymbol type)
    {
        if (IsEmpty) return type;
        switch (type)
        {
            case ITypeParameterSymbol p:
                return _map.TryGetValue(p, out var argument) ? argument : type;
            case IPointerTypeSymbol pointer:
            {
                var pointee = Apply(pointer.PointedAtType);
                return ReferenceEquals(pointee, pointer.PointedAtType) ? type : _compilation.CreatePointerTypeSymbol(pointee);
            }
            case INamedTypeSymbol { IsGenericType: true } named:
            {
                var arguments = named.TypeArguments.Select(Apply).ToArray();
                return arguments.SequenceEqual(named.TypeArguments, SymbolEqualityComparer.Default)
                    ? type
                    : named.OriginalDefinition.Construct(arguments);
            }
            default:
                return type;
        }
    }

    /// <summary>A generic method called from the body, with its type arguments substituted.</summary>
    public IMethodSymbol Apply(IMethodSymbol method)
    {
        if (IsEmpty || !method.IsGenericMethod) return method;
        var arguments = method.TypeArguments.Select(Apply).ToArray();
        return arguments.SequenceEqual(method.TypeArguments, SymbolEqualityComparer.Default)
            ? method
            : method.OriginalDefinition.Construct(arguments);
    }
}
