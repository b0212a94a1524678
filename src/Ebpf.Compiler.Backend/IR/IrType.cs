namespace Ebpf.Compiler.IR;

/// <summary>What the kernel verifier knows a pointer register points to. The IR keeps the kind so
/// passes and instruction selection never do to a pointer what the verifier forbids for its kind
/// (offsetting the context, arithmetic on a map value before its null check, comparing packet
/// pointers in 32 bits).</summary>
public enum PointerKind
{
    /// <summary>A pointer whose kind is decided by the caller (a <c>ref</c>/<c>in</c>/<c>out</c> parameter of a sub-program).</summary>
    Unknown,
    /// <summary>PTR_TO_CTX: the program's context (R1 at entry). Only <c>ctx + constant</c> inside a load is accepted.</summary>
    Context,
    /// <summary>PTR_TO_STACK: R10 plus a constant.</summary>
    Stack,
    /// <summary>CONST_PTR_TO_MAP: a map loaded by <c>ld_imm64 src=BPF_PSEUDO_MAP_FD</c>.</summary>
    MapHandle,
    /// <summary>PTR_TO_MAP_VALUE: a checked map value, or a global variable (<c>ld_imm64 src=BPF_PSEUDO_MAP_VALUE</c>).</summary>
    MapValue,
    /// <summary>PTR_TO_MAP_VALUE_OR_NULL: a lookup result; must be compared with 0 before any use.</summary>
    MapValueOrNull,
    /// <summary>PTR_TO_PACKET: packet data; readable below a compared <see cref="PacketEnd"/>.</summary>
    Packet,
    /// <summary>PTR_TO_PACKET_END: only usable in comparisons with packet pointers.</summary>
    PacketEnd,
    /// <summary>Kernel or user memory seen as a scalar by the verifier (read with probe-read helpers).</summary>
    Kernel,
}

/// <summary>The shape of an IR integer or pointer value.</summary>
public enum IrTypeKind { Void, Int, Pointer }

/// <summary>The type of an IR value: an integer of 1, 8, 16, 32 or 64 bits, a pointer of a verifier
/// kind, or void. Integers have no sign: operations say whether they are signed (as in LLVM).</summary>
/// <remarks>Register invariant used by every stage after the frontend: a value narrower than 64 bits
/// lives in a 64-bit register zero-extended (ALU32 results and loads already are), so widening
/// without sign is free and only sign extension and truncation cost instructions.</remarks>
public readonly record struct IrType(IrTypeKind Kind, int Bits, PointerKind Pointee)
{
    public static readonly IrType Void = new(IrTypeKind.Void, 0, default);
    public static readonly IrType I1 = new(IrTypeKind.Int, 1, default);
    public static readonly IrType I8 = new(IrTypeKind.Int, 8, default);
    public static readonly IrType I16 = new(IrTypeKind.Int, 16, default);
    public static readonly IrType I32 = new(IrTypeKind.Int, 32, default);
    public static readonly IrType I64 = new(IrTypeKind.Int, 64, default);

    public static IrType Pointer(PointerKind kind) => new(IrTypeKind.Pointer, 64, kind);
    public static IrType Int(int bits) => bits switch
    {
        1 => I1, 8 => I8, 16 => I16, 32 => I32, 64 => I64,
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "integer widths are 1, 8, 16, 32 and 64"),
    };

    public bool IsVoid => Kind == IrTypeKind.Void;
    public bool IsInt => Kind == IrTypeKind.Int;
    public bool IsPointer => Kind == IrTypeKind.Pointer;
    public bool IsBool => IsInt && Bits == 1;

    /// <summary>Bytes the value occupies in memory (a bool is one byte).</summary>
    public int StoreSize => Kind switch
    {
        IrTypeKind.Void => 0,
        IrTypeKind.Pointer => 8,
        _ => Bits <= 8 ? 1 : Bits / 8,
    };

    /// <summary>Mask of the value bits inside its 64-bit register.</summary>
    public ulong Mask => Bits >= 64 ? ulong.MaxValue : (1UL << Bits) - 1;

    public override string ToString() => Kind switch
    {
        IrTypeKind.Void => "void",
        IrTypeKind.Int => "i" + Bits,
        _ => "ptr." + PointerName(Pointee),
    };

    static string PointerName(PointerKind kind) => kind switch
    {
        PointerKind.Unknown => "any",
        PointerKind.Context => "ctx",
        PointerKind.Stack => "stack",
        PointerKind.MapHandle => "map",
        PointerKind.MapValue => "map_value",
        PointerKind.MapValueOrNull => "map_value_or_null",
        PointerKind.Packet => "packet",
        PointerKind.PacketEnd => "packet_end",
        PointerKind.Kernel => "kernel",
        _ => kind.ToString(),
    };
}
