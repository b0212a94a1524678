using Ebpf.Btf;

namespace Ebpf.Compiler.Types;

/// <summary>Describes C# types in BTF, so <c>bpftool btf dump</c> and <c>bpftool map dump</c> print map
/// keys, values and globals with their C# names and fields.</summary>
/// <remarks>
/// Integers get the C spellings clang and the kernel use (<c>unsigned int</c>, <c>long</c>,
/// <c>unsigned char</c>...), so <c>bpftool btf dump file X format c</c> prints compilable C; <c>bool</c>
/// is the BOOL-encoded <c>_Bool</c>, <c>char</c> (UTF-16) is <c>unsigned short</c>. Enums become ENUM
/// (ENUM64 for 8-byte enums), structs STRUCT with their CLR field offsets,
/// fixed buffers and <c>[InlineArray]</c> ARRAY members, pointers PTR. It reads the frontend's plain
/// <see cref="DataType"/>s (one instance per C# type). Structs keep their C# name when
/// it is a C identifier (kernel types generated from vmlinux must match by name for CO-RE); generic
/// instances are mangled (<c>Pair&lt;int, long&gt;</c> → <c>Pair__int__long</c>) and a second type with an
/// already used name gets a numeric suffix. Enumerators keep their C# names (CO-RE matches kernel
/// enumerators by name). One mapper per object: each C# type maps to one BTF type.
/// </remarks>
public sealed class BtfTypeMapper
{
    readonly Dictionary<DataType, BtfType> _types = new();
    readonly Dictionary<string, BtfInt> _ints = new();
    readonly HashSet<string> _usedNames = new();

    /// <summary>The C <c>int</c> (signed, 4 bytes), used by map definitions and program prototypes.</summary>
    public BtfInt Int => NamedInt("int", 4, signed: true);

    /// <summary>The C <c>unsigned long</c> (8 bytes): the element of a tracing program's argument array.</summary>
    public BtfInt UnsignedLong => NamedInt("unsigned long", 8, signed: false);

    /// <summary>The BTF type of <paramref name="type"/>. Types without an eBPF layout (outside the subset,
    /// already reported by the rules) become <c>void</c>, so the BTF stays valid.</summary>
    public BtfType Map(DataType type)
    {
        if (_types.TryGetValue(type, out var known)) return known;
        switch (type)
        {
            case PointerType pointer:
                return Remember(type, new BtfPointer(Map(pointer.Pointee)));
            case EnumType enumType:
                return Remember(type, MapEnum(enumType));
            case PrimitiveType primitive:
                return Remember(type, Primitive(primitive.Kind));
            case StructType { Size: not null } structType:
                return MapStruct(structType);
        }
        return BtfVoid.Instance;
    }

    BtfType Remember(DataType type, BtfType btf)
    {
        _types[type] = btf;
        return btf;
    }

    BtfInt Primitive(PrimitiveKind kind) => kind switch
    {
        PrimitiveKind.Bool => _ints.TryGetValue("_Bool", out var b) ? b : _ints["_Bool"] = new BtfInt("_Bool", 1, isSigned: false, isBool: true),
        PrimitiveKind.Byte => NamedInt("unsigned char", 1, signed: false),
        PrimitiveKind.SByte => NamedInt("signed char", 1, signed: true),
        PrimitiveKind.Short => NamedInt("short", 2, signed: true),
        PrimitiveKind.UShort or PrimitiveKind.Char => NamedInt("unsigned short", 2, signed: false),
        PrimitiveKind.Int => NamedInt("int", 4, signed: true),
        PrimitiveKind.UInt => NamedInt("unsigned int", 4, signed: false),
        PrimitiveKind.Long or PrimitiveKind.NInt => NamedInt("long", 8, signed: true),
        PrimitiveKind.ULong or PrimitiveKind.NUInt => NamedInt("unsigned long", 8, signed: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    BtfInt NamedInt(string name, int size, bool signed)
        => _ints.TryGetValue(name, out var existing) ? existing : _ints[name] = new BtfInt(name, size, signed);

    BtfEnum MapEnum(EnumType type)
    {
        var values = type.Enumerators.Select(e => new BtfEnumValue(CIdentifier(e.Name), e.Value)).ToList();
        return new BtfEnum(UniqueName(type.Name, []), (uint)type.Size, type.IsSigned, values);
    }

    BtfType MapStruct(StructType type)
    {
        var btf = new BtfStruct(UniqueName(type.Name, type.TypeArguments), (uint)type.Size!.Value);
        Remember(type, btf); // before the members: a member may point back to this struct
        foreach (var field in type.Fields.OrderBy(f => f.Offset))
        {
            BtfType member = field.ElementCount > 1 || field.IsFixedBuffer || type.IsInlineArray
                ? new BtfArray(Map(field.ElementType), (uint)field.ElementCount)
                : Map(field.Type);
            btf.Members.Add(new BtfMember(CIdentifier(field.Name), member, (uint)field.Offset * 8));
        }
        return btf;
    }

    string UniqueName(string typeName, IReadOnlyList<string> typeArguments)
    {
        var name = CIdentifier(typeName);
        if (typeArguments.Count > 0)
            name += "__" + string.Join("__", typeArguments.Select(CIdentifier));
        var unique = name;
        for (int i = 2; !_usedNames.Add(unique); i++) unique = $"{name}_{i}";
        return unique;
    }

    /// <summary>A C identifier from a C# name: other characters become '_' (<c>ulong*</c> → <c>ulong_</c>).</summary>
    public static string CIdentifier(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        var result = new string(chars);
        if (result.Length == 0) return "_";
        return char.IsAsciiDigit(result[0]) ? "_" + result : result;
    }
}
