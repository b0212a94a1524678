using Ebpf.Btf;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Types;

/// <summary>Describes C# types in BTF, so <c>bpftool btf dump</c> and <c>bpftool map dump</c> print map
/// keys, values and globals with their C# names and fields.</summary>
/// <remarks>
/// Integers get the C spellings clang and the kernel use (<c>unsigned int</c>, <c>long</c>,
/// <c>unsigned char</c>...), so <c>bpftool btf dump file X format c</c> prints compilable C; <c>bool</c>
/// is the BOOL-encoded <c>_Bool</c>, <c>char</c> (UTF-16) is <c>unsigned short</c>. Enums become ENUM
/// (ENUM64 for 8-byte enums), structs STRUCT with their CLR field offsets (<see cref="TypeLayouts"/>),
/// fixed buffers and <c>[InlineArray]</c> ARRAY members, pointers PTR. Structs keep their C# name when
/// it is a C identifier (kernel types generated from vmlinux must match by name for CO-RE); generic
/// instances are mangled (<c>Pair&lt;int, long&gt;</c> → <c>Pair__int__long</c>) and a second type with an
/// already used name gets a numeric suffix. Enumerators keep their C# names (CO-RE matches kernel
/// enumerators by name). One mapper per object: each C# type maps to one BTF type.
/// </remarks>
public sealed class BtfTypeMapper
{
    readonly TypeLayouts _layouts;
    readonly Dictionary<ITypeSymbol, BtfType> _types = new(SymbolEqualityComparer.Default);
    readonly Dictionary<string, BtfInt> _ints = new();
    readonly HashSet<string> _usedNames = new();

    public BtfTypeMapper(TypeLayouts layouts) => _layouts = layouts;

    /// <summary>The C <c>int</c> (signed, 4 bytes), used by map definitions and program prototypes.</summary>
    public BtfInt Int => NamedInt("int", 4, signed: true);

    /// <summary>The C <c>unsigned long</c> (8 bytes): the element of a tracing program's argument array.</summary>
    public BtfInt UnsignedLong => NamedInt("unsigned long", 8, signed: false);

    /// <summary>The BTF type of <paramref name="type"/>. Types without an eBPF layout (outside the subset,
    /// already reported by the rules) become <c>void</c>, so the BTF stays valid.</summary>
    public BtfType Map(ITypeSymbol type)
    {
        if (_types.TryGetValue(type, out var known)) return known;
        switch (type)
        {
            case IPointerTypeSymbol pointer:
                return Remember(type, new BtfPointer(pointer.PointedAtType.SpecialType == SpecialType.System_Void ? BtfVoid.Instance : Map(pointer.PointedAtType)));
            case INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType:
                return Remember(type, MapEnum(enumType));
        }
        if (Primitive(type.SpecialType) is { } primitive) return Remember(type, primitive);
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } structType && _layouts.GetLayout(structType) is { } layout)
            return MapStruct(structType, layout);
        return BtfVoid.Instance;
    }

    BtfType Remember(ITypeSymbol type, BtfType btf)
    {
        _types[type] = btf;
        return btf;
    }

    BtfInt? Primitive(SpecialType type) => type switch
    {
        SpecialType.System_Boolean => _ints.TryGetValue("_Bool", out var b) ? b : _ints["_Bool"] = new BtfInt("_Bool", 1, isSigned: false, isBool: true),
        SpecialType.System_Byte => NamedInt("unsigned char", 1, signed: false),
        SpecialType.System_SByte => NamedInt("signed char", 1, signed: true),
        SpecialType.System_Int16 => NamedInt("short", 2, signed: true),
        SpecialType.System_UInt16 or SpecialType.System_Char => NamedInt("unsigned short", 2, signed: false),
        SpecialType.System_Int32 => NamedInt("int", 4, signed: true),
        SpecialType.System_UInt32 => NamedInt("unsigned int", 4, signed: false),
        SpecialType.System_Int64 or SpecialType.System_IntPtr => NamedInt("long", 8, signed: true),
        SpecialType.System_UInt64 or SpecialType.System_UIntPtr => NamedInt("unsigned long", 8, signed: false),
        _ => null,
    };

    BtfInt NamedInt(string name, int size, bool signed)
        => _ints.TryGetValue(name, out var existing) ? existing : _ints[name] = new BtfInt(name, size, signed);

    BtfEnum MapEnum(INamedTypeSymbol type)
    {
        var underlying = type.EnumUnderlyingType!;
        int size = _layouts.GetLayout(underlying)!.Size;
        bool signed = underlying.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64;
        var values = type.GetMembers().OfType<IFieldSymbol>()
            .Where(f => f.HasConstantValue)
            .Select(f => new BtfEnumValue(CIdentifier(f.Name), f.ConstantValue is ulong u ? unchecked((long)u) : Convert.ToInt64(f.ConstantValue)))
            .ToList();
        return new BtfEnum(UniqueName(type), (uint)size, signed, values);
    }

    BtfType MapStruct(INamedTypeSymbol type, TypeLayout layout)
    {
        var btf = new BtfStruct(UniqueName(type), (uint)layout.Size);
        Remember(type, btf); // before the members: a member may point back to this struct
        foreach (var field in layout.Fields.OrderBy(f => f.Offset))
        {
            BtfType member = field.ElementCount > 1 || field.Field.IsFixedSizeBuffer || IsInlineArray(type)
                ? new BtfArray(Map(field.ElementType), (uint)field.ElementCount)
                : Map(field.Field.Type);
            btf.Members.Add(new BtfMember(CIdentifier(field.Field.Name), member, (uint)field.Offset * 8));
        }
        return btf;
    }

    static bool IsInlineArray(INamedTypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute");

    string UniqueName(INamedTypeSymbol type)
    {
        var name = CIdentifier(type.Name);
        if (type.IsGenericType)
            name += "__" + string.Join("__", type.TypeArguments.Select(a => CIdentifier(a.ToDisplayString())));
        var unique = name;
        for (int i = 2; !_usedNames.Add(unique); i++) unique = $"{name}_{i}";
        return unique;
    }

    /// <summary>A C identifier from a C# name: other characters become '_' (<c>ulong*</c> → <c>ulong_</c>).</summary>
    internal static string CIdentifier(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        var result = new string(chars);
        if (result.Length == 0) return "_";
        return char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }
}
