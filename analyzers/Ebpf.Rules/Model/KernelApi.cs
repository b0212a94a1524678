using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>Recognizes the kernel-side API (assembly <c>Ebpf</c>) by the attributes it carries, so the
/// mapping from C# to kernel lives in that assembly and not in tables here: helper ids come from
/// <c>[BpfHelper]</c>/<c>[MapHelper]</c>, context loads from <c>[ContextField]</c>, packet accessors from
/// <c>[PacketRead]</c>/<c>[PacketWrite]</c>.</summary>
public static class KernelApi
{
    const string BpfHelperAttribute = "Ebpf.BpfHelperAttribute";
    const string MapHelperAttribute = "Ebpf.MapHelperAttribute";
    const string BpfMapAttribute = "Ebpf.BpfMapAttribute";
    const string ContextFieldAttribute = "Ebpf.ContextFieldAttribute";
    const string PacketReadAttribute = "Ebpf.PacketReadAttribute";
    const string PacketWriteAttribute = "Ebpf.PacketWriteAttribute";
    const string ContextArgumentAttribute = "Ebpf.ContextArgumentAttribute";
    const string ContextReturnValueAttribute = "Ebpf.ContextReturnValueAttribute";
    const string CoreTypeAttribute = "Ebpf.CoreTypeAttribute";
    const string CoreNameAttribute = "Ebpf.CoreNameAttribute";
    const string BitfieldAttribute = "Ebpf.BitfieldAttribute";
    const string CoreRelocationAttribute = "Ebpf.CoreRelocationAttribute";
    const string KfuncAttribute = "Ebpf.KfuncAttribute";
    const string KsymAttribute = "Ebpf.KsymAttribute";

    static AttributeData? Find(ISymbol symbol, string name)
    {
        // The name first: ToDisplayString on every attribute of every type and member asked about (int's, long's...)
        // was a large share of compile time.
        foreach (var a in symbol.GetAttributes())
            if (a.AttributeClass is { } c && name.EndsWith(c.Name, System.StringComparison.Ordinal) && c.ToDisplayString() == name) return a;
        return null;
    }

    static int? IntArgument(AttributeData? a, int index)
        => a is not null && a.ConstructorArguments.Length > index && a.ConstructorArguments[index].Value is int v ? v : null;

    /// <summary>The helper id of a <c>Bpf.*</c> method (enum bpf_func_id), or null.</summary>
    public static int? HelperId(IMethodSymbol method) => IntArgument(Find(method.OriginalDefinition, BpfHelperAttribute), 0);

    /// <summary>The kernel function an <c>extern</c> method marked <c>[Kfunc]</c> calls (its <c>Name</c>, or the method's), or null.</summary>
    public static string? KfuncName(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (!definition.IsExtern || Find(definition, KfuncAttribute) is not { } a) return null;
        return a.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string ?? definition.Name;
    }

    /// <summary>The kernel variable a static field marked <c>[Ksym]</c> stands for (its <c>Name</c>, or the field's), or null.</summary>
    public static string? KsymName(IFieldSymbol field)
    {
        if (!field.IsStatic || Find(field.OriginalDefinition, KsymAttribute) is not { } a) return null;
        return a.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string ?? field.Name;
    }

    /// <summary>The helper id of a map method (lookup 1, update 2, delete 3...), or null.</summary>
    public static int? MapHelperId(IMethodSymbol method) => IntArgument(Find(method.OriginalDefinition, MapHelperAttribute), 0);

    /// <summary>How many of a map method's parameters the kernel takes before the map (<c>[MapHelper(id, MapPosition = n)]</c>).</summary>
    public static int MapPosition(IMethodSymbol method)
        => Find(method.OriginalDefinition, MapHelperAttribute)?.NamedArguments.FirstOrDefault(a => a.Key == "MapPosition").Value.Value is int n ? n : 0;

    /// <summary>The <c>Bpf.*</c> helper a map method is another spelling of, when their parameters differ
    /// only by order and the map: <c>PerfEventArray.Output(ctx, in data, flags)</c> is
    /// <c>Bpf.PerfEventOutput(ctx, map, flags, in data)</c>, whose order is the kernel's.</summary>
    public static IMethodSymbol? KernelForm(IMethodSymbol mapMethod, int helperId)
    {
        var bpf = mapMethod.ContainingAssembly.GetTypeByMetadataName("Ebpf.Bpf");
        if (bpf is null) return null;
        var names = new HashSet<string>(mapMethod.OriginalDefinition.Parameters.Select(p => p.Name));
        if (!names.Contains("ctx")) return null; // only methods taking the context are ordered differently
        foreach (var candidate in bpf.GetMembers().OfType<IMethodSymbol>())
        {
            if (HelperId(candidate) != helperId) continue;
            var others = new HashSet<string>(candidate.Parameters.Where(p => !IsMapType(p.Type)).Select(p => p.Name));
            if (others.SetEquals(names) && candidate.Parameters.Length == names.Count + 1) return candidate;
        }
        return null;
    }

    /// <summary>Whether the type is one of the API's map classes (<c>[BpfMap]</c>).</summary>
    public static bool IsMapType(ITypeSymbol type) => MapClass(type) is not null;

    /// <summary>The <c>[BpfMap]</c> attribute on the type or its nearest base: kernel map type (BPF_MAP_TYPE_*), KeySize and
    /// ValueSize (-1: from a type argument); null when the type is not a map class.</summary>
    public static (uint Type, int KeySize, int ValueSize)? MapClass(ITypeSymbol type)
    {
        for (var t = type as INamedTypeSymbol; t != null; t = t.BaseType)
        {
            if (Find(t.OriginalDefinition, BpfMapAttribute) is not { ConstructorArguments: [{ Value: { } mapType }, ..] } attribute) continue;
            int keySize = -1, valueSize = -1;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "KeySize" && named.Value.Value is int k) keySize = k;
                if (named.Key == "ValueSize" && named.Value.Value is int v) valueSize = v;
            }
            return (System.Convert.ToUInt32(mapType, System.Globalization.CultureInfo.InvariantCulture), keySize, valueSize);
        }
        return null;
    }

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

    /// <summary>The context offsets of the argument slots read by <c>ctx.Arg&lt;T&gt;(n)</c> (<c>[ContextArgument]</c>), or null.</summary>
    public static IReadOnlyList<int>? ContextArgumentOffsets(IMethodSymbol method)
    {
        var a = Find(method.OriginalDefinition, ContextArgumentAttribute);
        if (a is null || a.ConstructorArguments.Length != 1) return null;
        var values = a.ConstructorArguments[0];
        return values.Kind == TypedConstantKind.Array ? values.Values.Select(v => (int)v.Value!).ToArray() : null;
    }

    /// <summary>How <c>ctx.ReturnValue&lt;T&gt;()</c> reads the return value: a load at an offset, or a helper
    /// called with the context and the address of a u64 (<c>[ContextReturnValue]</c>); null when not marked.</summary>
    public static (int Offset, int Helper)? ContextReturnValue(IMethodSymbol method)
    {
        var a = Find(method.OriginalDefinition, ContextReturnValueAttribute);
        if (a is null) return null;
        int offset = -1, helper = -1;
        foreach (var named in a.NamedArguments)
        {
            if (named.Key == "Offset" && named.Value.Value is int o) offset = o;
            if (named.Key == "Helper" && named.Value.Value is int h) helper = h;
        }
        return (offset, helper);
    }

    /// <summary>The <c>Arg&lt;T&gt;</c> argument table of a context type (the offsets of its argument slots), or null.</summary>
    public static IReadOnlyList<int>? ArgumentSlots(ITypeSymbol contextType)
        => contextType.GetMembers().OfType<IMethodSymbol>().Select(ContextArgumentOffsets).FirstOrDefault(o => o is not null);

    /// <summary>A context struct: the API type a program receives in R1 by value (XdpContext, ...).
    /// Its value is the context pointer itself.</summary>
    public static bool IsContextType(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named) return false;
        // int, long...: never a context, and their hundreds of members would each be searched for the attributes.
        if (named.SpecialType != SpecialType.None) return false;
        foreach (var member in named.GetMembers())
        {
            if (member is IPropertySymbol p && Find(p, ContextFieldAttribute) is not null) return true;
            if (member is IMethodSymbol m && (Find(m, PacketReadAttribute) is not null || Find(m, PacketWriteAttribute) is not null
                || Find(m, ContextArgumentAttribute) is not null || Find(m, ContextReturnValueAttribute) is not null)) return true;
        }
        return false;
    }

    /// <summary>The kernel name of a <c>[CoreType]</c> struct, union or enum (CO-RE relocated), or null.</summary>
    public static string? CoreTypeName(INamedTypeSymbol type)
        => Find(type.OriginalDefinition, CoreTypeAttribute) is { ConstructorArguments: [{ Value: string name }] } ? name : null;

    /// <summary>Whether a <c>[CoreType]</c> names a union / a typedef of an anonymous type.</summary>
    public static (bool IsUnion, bool IsTypedef) CoreTypeFlags(INamedTypeSymbol type)
    {
        var a = Find(type.OriginalDefinition, CoreTypeAttribute);
        bool union = false, typedef = false;
        foreach (var named in a?.NamedArguments ?? [])
        {
            if (named.Key == "IsUnion" && named.Value.Value is true) union = true;
            if (named.Key == "IsTypedef" && named.Value.Value is true) typedef = true;
        }
        return (union, typedef);
    }

    /// <summary>The kernel name of a kernel type's member: <c>[CoreName]</c>, else the C# name.</summary>
    public static string CoreMemberName(ISymbol member)
        => Find(member, CoreNameAttribute) is { ConstructorArguments: [{ Value: string name }] } ? name : member.Name;

    /// <summary>The place of a <c>[Bitfield]</c> property of a kernel type (bits from the start of its struct, and width), or null.</summary>
    public static (int BitOffset, int BitSize)? Bitfield(IPropertySymbol property)
        => Find(property.OriginalDefinition, BitfieldAttribute) is { ConstructorArguments: [{ Value: int offset }, { Value: int size }] } ? (offset, size) : null;

    /// <summary>The CO-RE relocation kind (enum bpf_core_relo_kind) of a <c>[CoreRelocation]</c> query method, or null.</summary>
    public static int? CoreRelocationKind(IMethodSymbol method)
        => Find(method.OriginalDefinition, CoreRelocationAttribute) is { ConstructorArguments: [{ Value: var v }] } ? System.Convert.ToInt32(v) : null;

    public static bool IsNoInlining(IMethodSymbol method) => (method.MethodImplementationFlags & MethodImplAttributes.NoInlining) != 0;
    public static bool IsAggressiveInlining(IMethodSymbol method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) != 0;

    /// <summary>Whether a method is declared in C# source of the compilation (so it can be compiled).</summary>
    public static bool HasSource(IMethodSymbol method) => method.DeclaringSyntaxReferences.Length > 0 && !method.IsExtern && !method.IsAbstract;

    public static bool Is(ITypeSymbol? type, string metadataName) => type?.OriginalDefinition.ToDisplayString() == metadataName;
}
