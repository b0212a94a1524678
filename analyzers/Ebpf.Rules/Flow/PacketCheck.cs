using System.Collections.Immutable;
using System.Linq;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Flow;

/// <summary>The bounds check an EBPF2107 access needs, as C# text a code fix can insert:
/// <c>if (Base + Bytes &gt; End) return …;</c>. Carried in the diagnostic's properties.</summary>
public static class PacketCheck
{
    /// <summary>The pointer the check compares: the local the access reads through, or <c>ctx.Data</c>.</summary>
    public const string BaseKey = "PacketCheckBase";
    /// <summary>The <c>n</c> of <c>Base + n</c>: bytes, or 1 where the base is a typed pointer whose one element the access covers.</summary>
    public const string BytesKey = "PacketCheckBytes";
    /// <summary>The end of the packet: <c>ctx.DataEnd</c> of the program's context parameter.</summary>
    public const string EndKey = "PacketCheckEnd";

    /// <summary>The check for an access of <paramref name="size"/> bytes through <paramref name="pointer"/>,
    /// or null when the method has no context parameter to name the packet's end by.</summary>
    internal static ImmutableDictionary<string, string?>? For(Provenance pointer, int size, FlowState state, IMethodSymbol method, ITypeLayouts layouts)
    {
        var context = method.Parameters.FirstOrDefault(p => ApiCalls.IsContextType(p.Type));
        if (context is null) return null;
        string? pointerBase;
        int bytes;
        if (pointer.Root is ILocalSymbol or IParameterSymbol && state[pointer.Root].Kind == ProvenanceKind.Packet)
        {
            var type = pointer.Root is ILocalSymbol local ? local.Type : ((IParameterSymbol)pointer.Root).Type;
            (pointerBase, bytes) = Past(pointer.Root.Name, type, pointer.Delta + size, layouts);
        }
        else if (pointer.Offset is int offset)
        {
            pointerBase = context.Name + ".Data";
            bytes = offset + size;
        }
        else return null;
        return ImmutableDictionary<string, string?>.Empty
            .Add(BaseKey, pointerBase)
            .Add(BytesKey, bytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add(EndKey, context.Name + ".DataEnd");
    }

    /// <summary><c>p + 1</c> when the access reads exactly one <c>*p</c> (the C idiom <c>eth + 1 &gt; data_end</c>);
    /// otherwise byte arithmetic: <c>p + n</c> on a <c>byte*</c>, <c>(byte*)p + n</c> on a typed pointer.</summary>
    static (string Base, int Count) Past(string name, ITypeSymbol type, int bytes, ITypeLayouts layouts)
    {
        if (type is not IPointerTypeSymbol { PointedAtType: var pointee }) return ("(byte*)" + name, bytes);
        if (pointee.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte) return (name, bytes);
        if (pointee.SpecialType != SpecialType.System_Void && layouts.GetLayout(pointee)?.Size == bytes) return (name, 1);
        return ("(byte*)" + name, bytes);
    }
}
