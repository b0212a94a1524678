using Ebpf.Rules.Model;
using Ebpf.Compiler.IR;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>Maps C# types to IR types. Scalars (integers, bool, char, enums, pointers, context
/// structs, maps) become IR values; other structs live in memory and have no IR value type.</summary>
internal static class TypeMapper
{
    /// <summary>The IR type of a scalar C# type, or null for an aggregate (struct) or unsupported type.</summary>
    public static IrType? Scalar(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } u }) return Scalar(u);
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol) return IrType.Pointer(PointerKind.Unknown);
        if (KernelApi.IsContextType(type)) return IrType.Pointer(PointerKind.Context);
        // A map held in a local (an inner map a map of maps' Lookup returned): the map pointer (CONST_PTR_TO_MAP).
        if (KernelApi.IsMapType(type)) return IrType.Pointer(PointerKind.MapHandle);
        return type.SpecialType switch
        {
            SpecialType.System_Boolean => IrType.I1,
            SpecialType.System_Byte or SpecialType.System_SByte => IrType.I8,
            SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Char => IrType.I16,
            SpecialType.System_Int32 or SpecialType.System_UInt32 => IrType.I32,
            SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_IntPtr or SpecialType.System_UIntPtr => IrType.I64,
            _ => null,
        };
    }

    /// <summary>Whether arithmetic on the type is signed (C#'s rules: sbyte, short, int, long, nint).</summary>
    public static bool IsSigned(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } u }) return IsSigned(u);
        return type.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32
            or SpecialType.System_Int64 or SpecialType.System_IntPtr;
    }

    /// <summary>A struct that lives in memory (not a context struct, not a scalar).</summary>
    public static bool IsAggregate(ITypeSymbol type) => Scalar(type) is null && type.IsValueType && type.SpecialType != SpecialType.System_Void;
}
