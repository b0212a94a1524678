namespace Ebpf.Compiler.Types;

// The C# types of an object as the stages after the frontend see them: what BTF and CO-RE need (names, sizes,
// offsets, enumerators, kernel names), and nothing of Roslyn. The frontend (Frontend/DataTypeBuilder) makes one
// instance per C# type, so reference equality is type identity; the classes are not records because structs refer
// to themselves through pointers.

/// <summary>A C# type of the object, described for BTF.</summary>
public abstract class DataType
{
    /// <summary>The C# spelling (<c>Pair&lt;int, long&gt;</c>), for printing.</summary>
    public required string DisplayName { get; init; }

    public override string ToString() => DisplayName;
}

/// <summary>A type without an eBPF layout (outside the subset, reported by the rules) or <c>void</c>: BTF <c>void</c>.</summary>
public sealed class OpaqueType : DataType;

/// <summary>The C# primitives with a BTF integer: which one, by C# keyword.</summary>
public enum PrimitiveKind { Bool, Byte, SByte, Short, UShort, Char, Int, UInt, Long, ULong, NInt, NUInt }

public sealed class PrimitiveType : DataType
{
    public required PrimitiveKind Kind { get; init; }
}

/// <summary>An unmanaged pointer; <see cref="Pointee"/> is <see cref="OpaqueType"/> for <c>void*</c>.</summary>
public sealed class PointerType : DataType
{
    public DataType Pointee { get; internal set; } = null!;
}

/// <summary>A function pointer (a kernel struct's callback member, never called from BPF).</summary>
public sealed class FunctionPointerType : DataType;

/// <summary>An enum: its underlying integer and its enumerators.</summary>
/// <param name="Name">The C# name.</param>
public sealed class EnumType : DataType
{
    public required string Name { get; init; }
    /// <summary>The name of the kernel type a <c>[CoreType]</c> enum stands for ("" when anonymous), or null.</summary>
    public string? KernelName { get; init; }
    public required int Size { get; init; }
    public required bool IsSigned { get; init; }
    public required IReadOnlyList<Enumerator> Enumerators { get; init; }
}

/// <param name="Name">The C# name.</param>
/// <param name="KernelName">The kernel's name of the enumerator (<c>[CoreMember]</c> or the C# name).</param>
public sealed record Enumerator(string Name, string KernelName, long Value);

/// <summary>A struct with its CLR layout (<see cref="Size"/> null when it has none: outside the subset).</summary>
public sealed class StructType : DataType
{
    /// <summary>The C# name, and for a generic instance its type arguments (BTF names it <c>Pair__int__long</c>).</summary>
    public required string Name { get; init; }
    public required IReadOnlyList<string> TypeArguments { get; init; }
    public int? Size { get; init; }
    /// <summary>The fields in layout order (empty without a layout).</summary>
    public IReadOnlyList<StructField> Fields { get; internal set; } = [];
    /// <summary><c>[InlineArray]</c>: the one field is repeated.</summary>
    public bool IsInlineArray { get; init; }
    /// <summary>The kernel type a <c>[CoreType]</c> struct stands for, or null.</summary>
    public CoreTypeInfo? Kernel { get; init; }
}

/// <summary>What <c>[CoreType]</c> says: the kernel type's name ("" when anonymous), whether it is a union, and whether
/// the name is a typedef of an anonymous struct.</summary>
public sealed record CoreTypeInfo(string Name, bool IsUnion, bool IsTypedef);

/// <summary>A member of a kernel type that a CO-RE access names: a field or a <c>[Bitfield]</c> property.</summary>
public abstract class CoreMember
{
    /// <summary>The struct that declares it.</summary>
    public required StructType Owner { get; init; }
    public required string Name { get; init; }
    /// <summary>The kernel's name of the member.</summary>
    public required string KernelName { get; init; }
    public required DataType Type { get; init; }
    /// <summary>Where it starts in the struct, in bits.</summary>
    public abstract long BitOffset { get; }
}

/// <summary>A field at a byte offset. For a fixed buffer or an inline array <see cref="ElementCount"/> is its length.</summary>
public sealed class StructField : CoreMember
{
    public required int Offset { get; init; }
    public required DataType ElementType { get; init; }
    public required int ElementCount { get; init; }
    public bool IsFixedBuffer { get; init; }
    /// <summary>False for a field the struct's layout does not place (then <see cref="Offset"/> is 0).</summary>
    public bool IsPlaced { get; init; } = true;
    public override long BitOffset => Offset * 8L;
}

/// <summary>A <c>[Bitfield]</c> property: bits of a kernel struct.</summary>
public sealed class BitfieldMember : CoreMember
{
    public required int FirstBit { get; init; }
    public required int BitSize { get; init; }
    public override long BitOffset => FirstBit;
}

/// <summary>A function's parameters and result as BTF describes them: by-reference ones are pointers.</summary>
public sealed record FunctionPrototype(IReadOnlyList<PrototypeParameter> Parameters, DataType? ReturnType, bool ReturnsByReference)
{
    /// <summary>Null <see cref="ReturnType"/>: returns void.</summary>
    public bool ReturnsVoid => ReturnType is null;
}

public sealed record PrototypeParameter(string Name, DataType Type, bool ByReference);
