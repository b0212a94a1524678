namespace Ebpf.Btf.Core;

/// <summary>One step of a CO-RE access: a named member of <paramref name="Type"/> (a struct or union) at
/// <paramref name="Index"/>, an array element <paramref name="Index"/> of element type <paramref name="Type"/>
/// (<paramref name="Name"/> null), or an enumerator of the enum <paramref name="Type"/>.</summary>
internal sealed record CoreAccessor(BtfType Type, int Index, string? Name);

/// <summary>A CO-RE access resolved in one BTF (libbpf's bpf_core_spec): the root type, the named and array steps,
/// every raw index taken (anonymous members included) and the bit offset reached.</summary>
internal sealed class CoreSpec(BtfSpec btf, BtfType root, int rootId, BtfCoreRelocationKind kind)
{
    /// <summary>Deepest access chain libbpf accepts (BPF_CORE_SPEC_MAX_LEN).</summary>
    public const int MaxLength = 64;

    public BtfSpec Btf { get; } = btf;
    public BtfType Root { get; } = root;
    public int RootId { get; } = rootId;
    public BtfCoreRelocationKind Kind { get; } = kind;
    public List<CoreAccessor> Accessors { get; } = new();
    public List<int> Raw { get; } = new();
    public long BitOffset { get; set; }
}

/// <summary>The three families of relocation kinds, as libbpf groups them.</summary>
internal static class CoreKinds
{
    public static bool IsFieldBased(BtfCoreRelocationKind kind) => kind is BtfCoreRelocationKind.FieldByteOffset
        or BtfCoreRelocationKind.FieldByteSize or BtfCoreRelocationKind.FieldExists or BtfCoreRelocationKind.FieldSigned
        or BtfCoreRelocationKind.FieldLShiftU64 or BtfCoreRelocationKind.FieldRShiftU64;

    public static bool IsTypeBased(BtfCoreRelocationKind kind) => kind is BtfCoreRelocationKind.TypeIdLocal
        or BtfCoreRelocationKind.TypeIdTarget or BtfCoreRelocationKind.TypeExists or BtfCoreRelocationKind.TypeMatches
        or BtfCoreRelocationKind.TypeSize;

    public static bool IsEnumValueBased(BtfCoreRelocationKind kind)
        => kind is BtfCoreRelocationKind.EnumValueExists or BtfCoreRelocationKind.EnumValue;

    /// <summary>What the relocation computes, in words (for explanations).</summary>
    public static string Describe(BtfCoreRelocationKind kind) => kind switch
    {
        BtfCoreRelocationKind.FieldByteOffset => "field byte offset",
        BtfCoreRelocationKind.FieldByteSize => "field byte size",
        BtfCoreRelocationKind.FieldExists => "field existence",
        BtfCoreRelocationKind.FieldSigned => "field signedness",
        BtfCoreRelocationKind.FieldLShiftU64 => "bitfield left shift",
        BtfCoreRelocationKind.FieldRShiftU64 => "bitfield right shift",
        BtfCoreRelocationKind.TypeIdLocal => "local type id",
        BtfCoreRelocationKind.TypeIdTarget => "target type id",
        BtfCoreRelocationKind.TypeExists => "type existence",
        BtfCoreRelocationKind.TypeSize => "type size",
        BtfCoreRelocationKind.EnumValueExists => "enum value existence",
        BtfCoreRelocationKind.EnumValue => "enum value",
        BtfCoreRelocationKind.TypeMatches => "type match",
        _ => $"unknown relocation kind {(uint)kind}",
    };
}
