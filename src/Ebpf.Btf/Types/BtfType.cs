namespace Ebpf.Btf;

// CONTRACT (owned by the BTF helper; shape agreed with compiler, object and runtime).
// BTF as a graph: types refer to other types by object reference, never by id. Ids exist only
// inside an encoded blob: BtfBuilder assigns them, BtfSpec maps them back. Struct members are a
// mutable list so self-referential types (struct node { struct node *next; }) can be built.

/// <summary>A BTF type. <see cref="Name"/> is null for anonymous types.</summary>
public abstract class BtfType
{
    protected BtfType(string? name) => Name = name;
    public string? Name { get; }
    public override string ToString() => $"{GetType().Name[3..].ToLowerInvariant()} '{Name}'";
}

/// <summary>BTF_KIND void: type id 0. Use <see cref="Instance"/>.</summary>
public sealed class BtfVoid : BtfType
{
    public static readonly BtfVoid Instance = new();
    BtfVoid() : base(null) { }
}

/// <summary>BTF_KIND_INT. <paramref name="Size"/> in bytes (1, 2, 4, 8, 16).</summary>
public sealed class BtfInt(string name, int size, bool isSigned, bool isChar = false, bool isBool = false) : BtfType(name)
{
    public int Size { get; } = size;
    public bool IsSigned { get; } = isSigned;
    public bool IsChar { get; } = isChar;
    public bool IsBool { get; } = isBool;
    /// <summary>Number of value bits (nr_bits); the whole size unless the kernel BTF says otherwise.</summary>
    public int Bits { get; init; } = size * 8;
    /// <summary>Bit offset of the value inside the storage (always 0 in practice).</summary>
    public int BitOffset { get; init; }
}

/// <summary>BTF_KIND_PTR.</summary>
public sealed class BtfPointer(BtfType target) : BtfType(null)
{
    public BtfType Target { get; } = target;
}

/// <summary>BTF_KIND_ARRAY. The index type is an <c>int</c> (clang uses <c>__ARRAY_SIZE_TYPE__</c>); the builder supplies it.</summary>
public sealed class BtfArray(BtfType element, uint count) : BtfType(null)
{
    public BtfType Element { get; } = element;
    public uint Count { get; } = count;
    /// <summary>The index type read from an encoded blob; null lets the builder use its <c>__ARRAY_SIZE_TYPE__</c>.</summary>
    public BtfType? IndexType { get; init; }
}

/// <summary>A struct or union member. Offsets are in bits; <paramref name="BitFieldSize"/> 0 means not a bit-field.</summary>
public sealed record BtfMember(string? Name, BtfType Type, uint BitOffset, uint BitFieldSize = 0);

/// <summary>BTF_KIND_STRUCT or BTF_KIND_UNION. <see cref="Size"/> in bytes.</summary>
public sealed class BtfStruct(string? name, uint size, bool isUnion = false) : BtfType(name)
{
    public uint Size { get; } = size;
    public bool IsUnion { get; } = isUnion;
    public List<BtfMember> Members { get; } = new();
}

public sealed record BtfEnumValue(string Name, long Value);

/// <summary>BTF_KIND_ENUM (size up to 4) or BTF_KIND_ENUM64 (size 8).</summary>
public sealed class BtfEnum(string? name, uint size, bool isSigned, IReadOnlyList<BtfEnumValue> values) : BtfType(name)
{
    public uint Size { get; } = size;
    public bool IsSigned { get; } = isSigned;
    public IReadOnlyList<BtfEnumValue> Values { get; } = values;
    /// <summary>Encode as BTF_KIND_ENUM64 (kernel 6.0+). The builder also picks ENUM64 when a value does not fit in 32 bits.</summary>
    public bool IsEnum64 { get; init; }
}

/// <summary>BTF_KIND_FWD: a forward declaration of a struct or union.</summary>
public sealed class BtfForward(string name, bool isUnion = false) : BtfType(name)
{
    public bool IsUnion { get; } = isUnion;
}

/// <summary>BTF_KIND_TYPEDEF.</summary>
public sealed class BtfTypedef(string name, BtfType target) : BtfType(name)
{
    public BtfType Target { get; } = target;
}

/// <summary>BTF_KIND_VOLATILE, BTF_KIND_CONST, BTF_KIND_RESTRICT.</summary>
public sealed class BtfQualifier(BtfQualifierKind kind, BtfType target) : BtfType(null)
{
    public BtfQualifierKind Kind { get; } = kind;
    public BtfType Target { get; } = target;
}

public enum BtfQualifierKind { Volatile, Const, Restrict }

public sealed record BtfParameter(string? Name, BtfType Type);

/// <summary>BTF_KIND_FUNC_PROTO.</summary>
public sealed class BtfFuncProto(BtfType returnType, IReadOnlyList<BtfParameter> parameters) : BtfType(null)
{
    public BtfType ReturnType { get; } = returnType;
    public IReadOnlyList<BtfParameter> Parameters { get; } = parameters;
}

public enum BtfFuncLinkage { Static = 0, Global = 1, Extern = 2 }

/// <summary>BTF_KIND_FUNC: a program or sub-program, pointing at its prototype.</summary>
public sealed class BtfFunc(string name, BtfFuncProto proto, BtfFuncLinkage linkage) : BtfType(name)
{
    public BtfFuncProto Proto { get; } = proto;
    public BtfFuncLinkage Linkage { get; } = linkage;
}

public enum BtfVarLinkage { Static = 0, GlobalAllocated = 1, GlobalExtern = 2 }

/// <summary>BTF_KIND_VAR: a global variable or a BTF-defined map.</summary>
public sealed class BtfVar(string name, BtfType type, BtfVarLinkage linkage) : BtfType(name)
{
    public BtfType Type { get; } = type;
    public BtfVarLinkage Linkage { get; } = linkage;
}

/// <summary>One variable placed in a data section: offset and size in bytes.</summary>
public sealed record BtfVarSecInfo(BtfVar Var, uint Offset, uint Size);

/// <summary>BTF_KIND_DATASEC: a data section (<c>.maps</c>, <c>.rodata</c>, <c>.data</c>, <c>.bss</c>) and its variables.</summary>
public sealed class BtfDatasec(string name, uint size, IReadOnlyList<BtfVarSecInfo> variables) : BtfType(name)
{
    public uint Size { get; } = size;
    public IReadOnlyList<BtfVarSecInfo> Variables { get; } = variables;
    /// <summary>Kernel functions listed in <c>.ksyms</c> (kfunc declarations, extern FUNCs at offset 0, size 0), after the variables.</summary>
    public IReadOnlyList<BtfFunc> Functions { get; init; } = [];
}

/// <summary>BTF_KIND_FLOAT (parsed from kernel BTF; never produced by our compiler).</summary>
public sealed class BtfFloat(string name, uint size) : BtfType(name)
{
    public uint Size { get; } = size;
}

/// <summary>BTF_KIND_DECL_TAG and BTF_KIND_TYPE_TAG (parsed, rarely produced).</summary>
public sealed class BtfTag(string name, BtfType target, bool isTypeTag, int componentIndex = -1) : BtfType(name)
{
    public BtfType Target { get; } = target;
    public bool IsTypeTag { get; } = isTypeTag;
    public int ComponentIndex { get; } = componentIndex;
}
