using System;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Flow;

/// <summary>Sizes and field offsets of unmanaged types as the compiler lays them out (sequential, natural
/// alignment, <c>[StructLayout(Pack = n)]</c> honored): what a packet read covers, where a tracepoint field is.</summary>
static class Layout
{
    public static int SizeOf(ITypeSymbol type) => Measure(type).Size;

    public static int OffsetOf(INamedTypeSymbol type, IFieldSymbol field)
    {
        int pack = Pack(type), offset = 0;
        foreach (var f in Fields(type))
        {
            var (size, align) = Measure(f);
            offset = Align(offset, Math.Min(align, pack));
            if (SymbolEqualityComparer.Default.Equals(f, field)) return offset;
            offset += size;
        }
        return int.MaxValue;
    }

    static IFieldSymbol[] Fields(INamedTypeSymbol type) => type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToArray();

    static (int Size, int Align) Measure(IFieldSymbol field)
    {
        if (!field.IsFixedSizeBuffer || field.Type is not IPointerTypeSymbol element) return Measure(field.Type);
        var (size, align) = Measure(element.PointedAtType);
        return (size * field.FixedSize, align);
    }

    static (int Size, int Align) Measure(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { EnumUnderlyingType: { } underlying }) type = underlying;
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte: return (1, 1);
            case SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Char: return (2, 2);
            case SpecialType.System_Int32 or SpecialType.System_UInt32: return (4, 4);
            case SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_IntPtr or SpecialType.System_UIntPtr: return (8, 8);
        }
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol) return (8, 8);
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named) return (8, 8);
        int pack = Pack(named), offset = 0, maxAlign = 1;
        foreach (var f in Fields(named))
        {
            var (size, align) = Measure(f);
            align = Math.Min(align, pack);
            offset = Align(offset, align) + size;
            maxAlign = Math.Max(maxAlign, align);
        }
        return (Math.Max(1, Align(offset, maxAlign)), maxAlign);
    }

    static int Pack(INamedTypeSymbol type)
    {
        var layout = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == typeof(StructLayoutAttribute).FullName);
        var pack = layout?.NamedArguments.FirstOrDefault(n => n.Key == "Pack").Value.Value;
        return pack is int p && p > 0 ? p : 8;
    }

    static int Align(int offset, int align) => (offset + align - 1) / align * align;
}
