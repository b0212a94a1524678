using Ebpf.Compiler.Types;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>The plain description (<see cref="DataType"/>) of the C# types an object uses: one instance per type, so
/// the stages after the frontend compare types by reference. Layouts come from the one <see cref="ITypeLayouts"/>.</summary>
public sealed class DataTypeBuilder(ITypeLayouts layouts)
{
    readonly Dictionary<ITypeSymbol, DataType> _types = new(SymbolEqualityComparer.Default);
    readonly Dictionary<ISymbol, CoreMember> _members = new(SymbolEqualityComparer.Default);

    public DataType Of(ITypeSymbol type)
    {
        if (_types.TryGetValue(type, out var known)) return known;
        var display = type.ToDisplayString();
        switch (type)
        {
            case IPointerTypeSymbol pointer:
            {
                var result = new PointerType { DisplayName = display };
                _types[type] = result; // before the pointee: it may contain this pointer
                result.Pointee = Of(pointer.PointedAtType);
                return result;
            }
            case IFunctionPointerTypeSymbol:
                return _types[type] = new FunctionPointerType { DisplayName = display };
            case INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } enumType:
                return _types[type] = Enum(enumType, underlying, layouts.GetLayout(underlying)?.Size ?? 4, display);
        }
        if (Primitive(type.SpecialType) is { } kind) return _types[type] = new PrimitiveType { DisplayName = display, Kind = kind };
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } structType) return Struct(structType, display);
        return _types[type] = new OpaqueType { DisplayName = display };
    }

    static PrimitiveKind? Primitive(SpecialType type) => type switch
    {
        SpecialType.System_Boolean => PrimitiveKind.Bool,
        SpecialType.System_Byte => PrimitiveKind.Byte,
        SpecialType.System_SByte => PrimitiveKind.SByte,
        SpecialType.System_Int16 => PrimitiveKind.Short,
        SpecialType.System_UInt16 => PrimitiveKind.UShort,
        SpecialType.System_Char => PrimitiveKind.Char,
        SpecialType.System_Int32 => PrimitiveKind.Int,
        SpecialType.System_UInt32 => PrimitiveKind.UInt,
        SpecialType.System_Int64 => PrimitiveKind.Long,
        SpecialType.System_UInt64 => PrimitiveKind.ULong,
        SpecialType.System_IntPtr => PrimitiveKind.NInt,
        SpecialType.System_UIntPtr => PrimitiveKind.NUInt,
        _ => null,
    };

    static EnumType Enum(INamedTypeSymbol type, INamedTypeSymbol underlying, int size, string display) => new()
    {
        DisplayName = display,
        Name = type.Name,
        KernelName = KernelApi.CoreTypeName(type),
        Size = size,
        IsSigned = underlying.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64,
        Enumerators = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
            .Select(f => new Enumerator(f.Name, KernelApi.CoreMemberName(f),
                f.ConstantValue is ulong u ? unchecked((long)u) : Convert.ToInt64(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList(),
    };

    StructType Struct(INamedTypeSymbol type, string display)
    {
        var layout = layouts.GetLayout(type);
        var kernelName = KernelApi.CoreTypeName(type);
        var (isUnion, isTypedef) = kernelName is null ? (false, false) : KernelApi.CoreTypeFlags(type);
        var result = new StructType
        {
            DisplayName = display,
            Name = type.Name,
            TypeArguments = type.IsGenericType ? type.TypeArguments.Select(a => a.ToDisplayString()).ToList() : [],
            Size = layout?.Size,
            IsInlineArray = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute"),
            Kernel = kernelName is null ? null : new CoreTypeInfo(kernelName, isUnion, isTypedef),
        };
        _types[type] = result; // before the fields: a field may point back to this struct
        if (layout is not null)
            result.Fields = layout.Fields.Select(f => (StructField)(_members[f.Field] = new StructField
            {
                Owner = result, Name = f.Field.Name, KernelName = KernelApi.CoreMemberName(f.Field), Type = Of(f.Field.Type),
                Offset = f.Offset, ElementType = Of(f.ElementType), ElementCount = f.ElementCount, IsFixedBuffer = f.Field.IsFixedSizeBuffer,
            })).ToList();
        return result;
    }

    /// <summary>The member a CO-RE access names: a field of a kernel struct or a <c>[Bitfield]</c> property.</summary>
    public CoreMember Member(ISymbol member)
    {
        var owner = (StructType)Of(member.ContainingType);
        if (_members.TryGetValue(member, out var known)) return known;
        return _members[member] = member switch
        {
            IPropertySymbol bitfield => new BitfieldMember
            {
                Owner = owner, Name = bitfield.Name, KernelName = KernelApi.CoreMemberName(bitfield), Type = Of(bitfield.Type),
                FirstBit = KernelApi.Bitfield(bitfield)?.BitOffset ?? 0, BitSize = KernelApi.Bitfield(bitfield)?.BitSize ?? 0,
            },
            IFieldSymbol field => new StructField
            {
                Owner = owner, Name = field.Name, KernelName = KernelApi.CoreMemberName(field), Type = Of(field.Type),
                Offset = 0, ElementType = Of(field.Type), ElementCount = 1, IsFixedBuffer = field.IsFixedSizeBuffer, IsPlaced = false,
            },
            _ => throw new ArgumentException($"'{member.ToDisplayString()}' is not a field or a bit-field", nameof(member)),
        };
    }

    /// <summary>A method's prototype as BTF describes it: its C# parameters (by-reference ones as pointers) and result.</summary>
    public FunctionPrototype Prototype(IMethodSymbol method)
        => new(method.Parameters.Select(p => new PrototypeParameter(p.Name, Of(p.Type), p.RefKind != RefKind.None)).ToList(),
            method.ReturnsVoid ? null : Of(method.ReturnType), method.ReturnsByRef || method.ReturnsByRefReadonly);
}
