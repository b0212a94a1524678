using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>The frontend's names for the C# methods it lowers. After the frontend a function is this id (IR calls name
/// their callee by it, compiled functions list their callees by it); only the frontend maps an id back to its method.</summary>
/// <remarks>An id is the method's full C# signature (type arguments included, so each generic instance is its own
/// function); a second method with the same text (two lambdas of one member) gets a <c>#n</c> suffix.</remarks>
public sealed class FunctionIds
{
    readonly Dictionary<IMethodSymbol, string> _ids = new(SymbolEqualityComparer.Default);
    readonly Dictionary<string, IMethodSymbol> _methods = new(StringComparer.Ordinal);

    public string IdOf(IMethodSymbol method)
    {
        if (_ids.TryGetValue(method, out var id)) return id;
        var text = method.ToDisplayString();
        id = text;
        for (int i = 2; _methods.ContainsKey(id); i++) id = $"{text}#{i}";
        _methods[id] = method;
        return _ids[method] = id;
    }

    /// <summary>The method <paramref name="id"/> names (given out by <see cref="IdOf"/>).</summary>
    public IMethodSymbol MethodOf(string id) => _methods[id];
}
