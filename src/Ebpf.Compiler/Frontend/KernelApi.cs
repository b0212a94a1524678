using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>Recognizes the kernel-side API (assembly <c>Ebpf</c>) by the attributes it carries, so the
/// mapping from C# to kernel lives in that assembly and not in tables here: helper ids come from
/// <c>[BpfHelper]</c>/<c>[MapHelper]</c>, context loads from <c>[ContextField]</c>, packet accessors from
/// <c>[PacketRead]</c>/<c>[PacketWrite]</c>.</summary>
internal static class KernelApi
{
    const string BpfHelperAttribute = "Ebpf.BpfHelperAttribute";
    const string MapHelperAttribute = "Ebpf.MapHelperAttribute";
    const string BpfMapAttribute = "Ebpf.BpfMapAttribute";
    const string ContextFieldAttribute = "Ebpf.ContextFieldAttribute";
    const string PacketReadAttribute = "Ebpf.PacketReadAttribute";
    const string PacketWriteAttribute = "Ebpf.PacketWriteAttribute";

    static AttributeData? Find(ISymbol symbol, string name)
    {
        foreach (var a in symbol.GetAttributes())
            if (a.AttributeClass?.ToDisplayString() == name) return a;
        return null;
    }

    static int? IntArgument(AttributeData? a, int index)
        => a is not null && a.ConstructorArguments.Length > index && a.ConstructorArguments[index].Value is int v ? v : null;

    /// <summary>The helper id of a <c>Bpf.*</c> method (enum bpf_func_id), or null.</summary>
    public static int? HelperId(IMethodSymbol method) => IntArgument(Find(method.OriginalDefinition, BpfHelperAttribute), 0);

    /// <summary>The helper id of a map method (lookup 1, update 2, delete 3...), or null.</summary>
    public static int? MapHelperId(IMethodSymbol method) => IntArgument(Find(method.OriginalDefinition, MapHelperAttribute), 0);

    /// <summary>Whether the type is one of the API's map classes (<c>[BpfMap]</c>).</summary>
    public static bool IsMapType(ITypeSymbol type) => Find(type.OriginalDefinition, BpfMapAttribute) is not null;

    /// <summary>Offset and size of a context property (<c>xdp_md.data</c> at 0, 4 bytes), or null.</summary>
    public static (int Offset, int Size)? ContextField(IPropertySymbol property)
    {
        var a = Find(property.OriginalDefinition, ContextFieldAttribute);
        return IntArgument(a, 0) is int off && IntArgument(a, 1) is int size ? (off, size) : null;
    }

    /// <summary>Offsets of data and data_end for a packet context's TryRead, or null.</summary>
    public static (int Data, int DataEnd)? PacketRead(IMethodSymbol method)
    {
        var a = Find(method.OriginalDefinition, PacketReadAttribute);
        return IntArgument(a, 0) is int d && IntArgument(a, 1) is int e ? (d, e) : null;
    }

    /// <summary>Offsets of data and data_end for a packet context's TryWrite, or null.</summary>
    public static (int Data, int DataEnd)? PacketWrite(IMethodSymbol method)
    {
        var a = Find(method.OriginalDefinition, PacketWriteAttribute);
        return IntArgument(a, 0) is int d && IntArgument(a, 1) is int e ? (d, e) : null;
    }

    /// <summary>A context struct: the API type a program receives in R1 by value (XdpContext, ...).
    /// Its value is the context pointer itself.</summary>
    public static bool IsContextType(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named) return false;
        foreach (var member in named.GetMembers())
        {
            if (member is IPropertySymbol p && Find(p, ContextFieldAttribute) is not null) return true;
            if (member is IMethodSymbol m && (Find(m, PacketReadAttribute) is not null || Find(m, PacketWriteAttribute) is not null)) return true;
        }
        return false;
    }

    public static bool IsNoInlining(IMethodSymbol method) => (method.MethodImplementationFlags & MethodImplAttributes.NoInlining) != 0;
    public static bool IsAggressiveInlining(IMethodSymbol method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) != 0;

    /// <summary>Whether a method is declared in C# source of the compilation (so it can be compiled).</summary>
    public static bool HasSource(IMethodSymbol method) => method.DeclaringSyntaxReferences.Length > 0 && !method.IsExtern && !method.IsAbstract;

    public static bool Is(ITypeSymbol? type, string metadataName) => type?.OriginalDefinition.ToDisplayString() == metadataName;
}
