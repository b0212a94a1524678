using System.Text;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Codegen;

/// <summary>ELF symbol names of compiled functions: the method name, qualified by its class when it
/// is not declared in the object's own class, and by its parameter types when overloaded. Callers
/// (Call relocations) and callees (<see cref="CompiledFunction.Name"/>) use this one function.</summary>
public static class SymbolNames
{
    public static string For(IMethodSymbol method, INamedTypeSymbol? objectClass = null)
    {
        var sb = new StringBuilder();
        if (objectClass is not null && !SymbolEqualityComparer.Default.Equals(method.ContainingType, objectClass))
            sb.Append(Sanitize(method.ContainingType.Name)).Append('_');
        // A local function is named after the member that declares it: two methods may both have a `Square`.
        if (method.MethodKind == MethodKind.LocalFunction && method.ContainingSymbol is IMethodSymbol outer)
            sb.Append(Sanitize(outer.Name)).Append("__");
        if (method.MethodKind == MethodKind.AnonymousFunction)
        {
            // A lambda (a helper callback): named after its member and its position there.
            var outerName = method.ContainingSymbol is IMethodSymbol m ? m.Name : "lambda";
            var span = method.Locations.FirstOrDefault()?.GetLineSpan().StartLinePosition;
            return sb.Append(Sanitize(outerName)).Append("__callback_").Append(span?.Line + 1).Append('_').Append(span?.Character + 1).ToString();
        }
        sb.Append(Sanitize(method.Name));
        int overloads = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Count();
        if (overloads > 1)
            foreach (var p in method.Parameters)
                sb.Append("__").Append(Sanitize(p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        if (method.IsGenericMethod)
            foreach (var t in method.TypeArguments)
                sb.Append("__").Append(Sanitize(t.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        return sb.ToString();
    }

    static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.ToString();
    }
}
