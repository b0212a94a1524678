using System.Linq;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

/// <summary>The well-known symbols the rules need, resolved once per compilation: the Ebpf kernel-API
/// assembly and its marker attributes, and the BCL types whose members are compiler intrinsics.</summary>
public sealed class EbpfSymbols
{
    EbpfSymbols(Compilation compilation, INamedTypeSymbol bpfObjectAttribute)
    {
        Compilation = compilation;
        BpfObjectAttribute = bpfObjectAttribute;
        ApiAssembly = bpfObjectAttribute.ContainingAssembly;
        ManagedOnlyAttribute = compilation.GetTypeByMetadataName("Ebpf.ManagedOnlyAttribute");
        Span = compilation.GetTypeByMetadataName("System.Span`1");
        ReadOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
        Nullable = compilation.GetSpecialType(SpecialType.System_Nullable_T);
    }

    /// <summary>The symbols of <paramref name="compilation"/>, or null when it does not reference the
    /// Ebpf API (then no code in it can be an eBPF program and the rules have nothing to check).</summary>
    public static EbpfSymbols? Create(Compilation compilation)
    {
        var attribute = compilation.GetTypeByMetadataName("Ebpf.BpfObjectAttribute");
        return attribute is null ? null : new EbpfSymbols(compilation, attribute);
    }

    public Compilation Compilation { get; }
    /// <summary>The kernel-side API (<c>Ebpf.dll</c>): its members are lowered by the compiler.</summary>
    public IAssemblySymbol ApiAssembly { get; }
    public INamedTypeSymbol BpfObjectAttribute { get; }
    public INamedTypeSymbol? ManagedOnlyAttribute { get; }
    public INamedTypeSymbol? Span { get; }
    public INamedTypeSymbol? ReadOnlySpan { get; }
    public INamedTypeSymbol Nullable { get; }

    /// <summary>Whether <paramref name="symbol"/> belongs to the Ebpf kernel-API assembly.</summary>
    public bool IsApi(ISymbol? symbol) => symbol != null && SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, ApiAssembly);

    /// <summary>Whether <paramref name="type"/> is a class marked <c>[BpfObject]</c>.</summary>
    public bool IsBpfObjectClass(ITypeSymbol? type)
        => type is INamedTypeSymbol { TypeKind: TypeKind.Class } named && HasAttribute(named, BpfObjectAttribute);

    /// <summary>The innermost <c>[BpfObject]</c> class containing <paramref name="symbol"/>, or null.</summary>
    public INamedTypeSymbol? ContainingObjectClass(ISymbol symbol)
    {
        for (var t = symbol as INamedTypeSymbol ?? symbol.ContainingType; t != null; t = t.ContainingType)
            if (IsBpfObjectClass(t)) return t;
        return null;
    }

    /// <summary>Whether <paramref name="symbol"/> (or, for members, its original definition or containing
    /// type) is marked <c>[ManagedOnly]</c>: API members with no eBPF translation.</summary>
    public bool IsManagedOnly(ISymbol symbol)
    {
        if (ManagedOnlyAttribute is null) return false;
        for (var s = symbol.OriginalDefinition; s != null; s = s.ContainingType)
        {
            if (HasAttribute(s, ManagedOnlyAttribute)) return true;
            if (s is IMethodSymbol { AssociatedSymbol: { } property } && HasAttribute(property, ManagedOnlyAttribute)) return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="type"/> (or a base class) is a kernel map type (<c>[BpfMap]</c>).</summary>
    public bool IsMapType(ITypeSymbol? type) => type is not null && KernelApi.IsMapType(type);

    public bool IsSpan(ITypeSymbol? type)
        => type is INamedTypeSymbol named
           && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Span) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ReadOnlySpan));

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol attribute)
        => symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
