namespace Ebpf.Btf.Core;

/// <summary>The value a relocation takes in one BTF (local or target): libbpf's bpf_core_calc_field_relo,
/// bpf_core_calc_type_relo and bpf_core_calc_enumval_relo. A null spec is a target without a match.</summary>
internal static class CoreValues
{
    internal readonly record struct Value(ulong Number, int FieldSize, BtfType? FieldType, bool Validate, bool Poison, string? Error)
    {
        public static Value Of(ulong number, bool validate = true) => new(number, 0, null, validate, false, null);
        public static Value Poisoned(string why) => new(0, 0, null, false, true, why);
        public static Value Failed(string error) => new(0, 0, null, false, false, error);
    }

    public static Value Field(CoreSpec? spec, BtfCoreRelocationKind kind)
    {
        if (kind == BtfCoreRelocationKind.FieldExists) return Value.Of(spec is null ? 0u : 1u);
        if (spec is null) return Value.Poisoned("the field does not exist in the target");

        var accessor = spec.Accessors[^1];
        if (accessor.Name is null)
        {
            long? elementSize = CoreTypeFacts.SizeOf(accessor.Type);
            if (elementSize is null) return Value.Failed($"{CoreTypeFacts.Describe(accessor.Type)} has no size");
            return kind switch
            {
                BtfCoreRelocationKind.FieldByteOffset => new Value((ulong)(spec.BitOffset / 8), (int)elementSize.Value, accessor.Type, true, false, null),
                BtfCoreRelocationKind.FieldByteSize => Value.Of((ulong)elementSize.Value),
                _ => Value.Failed($"{CoreKinds.Describe(kind)} cannot be applied to an array element"),
            };
        }

        var owner = (BtfStruct)accessor.Type;
        var member = owner.Members[accessor.Index];
        var memberType = BtfLayout.SkipQualifiers(member.Type);
        long bitOffset = spec.BitOffset;
        long bitSize = member.BitFieldSize;
        bool bitfield = bitSize > 0;
        long byteSize, byteOffset;
        if (bitfield)
        {
            long? storage = CoreTypeFacts.SizeOf(memberType);
            if (storage is null or 0) return Value.Failed($"bitfield {member.Name} has storage type {CoreTypeFacts.Describe(memberType)} without a size");
            if (CoreBitfieldLoad.Of(bitOffset, bitSize, storage.Value) is not { } load)
                return Value.Failed($"bitfield {member.Name} cannot be read with one 64-bit load");
            byteSize = load.ByteSize;
            byteOffset = load.ByteOffset;
        }
        else
        {
            long? size = CoreTypeFacts.SizeOf(memberType);
            if (size is null) return Value.Failed($"field {member.Name} has type {CoreTypeFacts.Describe(memberType)} without a size");
            byteSize = size.Value;
            byteOffset = bitOffset / 8;
            bitSize = byteSize * 8;
        }

        // The compiler and libbpf may place a bitfield's load differently: only signedness and the right shift,
        // which do not depend on that choice, are checked against the instruction.
        return kind switch
        {
            BtfCoreRelocationKind.FieldByteOffset => bitfield
                ? Value.Of((ulong)byteOffset, validate: false)
                : new Value((ulong)byteOffset, (int)byteSize, memberType, true, false, null),
            BtfCoreRelocationKind.FieldByteSize => Value.Of((ulong)byteSize, validate: !bitfield),
            BtfCoreRelocationKind.FieldSigned => Value.Of(CoreTypeFacts.IsSigned(memberType) ? 1u : 0u),
            BtfCoreRelocationKind.FieldLShiftU64 => Value.Of((ulong)(64 - (bitOffset + bitSize - byteOffset * 8)), validate: !bitfield),
            BtfCoreRelocationKind.FieldRShiftU64 => Value.Of((ulong)(64 - bitSize)),
            _ => Value.Failed($"{CoreKinds.Describe(kind)} is not a field relocation"),
        };
    }

    public static Value Type(CoreSpec? spec, BtfCoreRelocationKind kind)
    {
        if (spec is null) return Value.Of(0);
        switch (kind)
        {
            case BtfCoreRelocationKind.TypeIdTarget:
                // Type ids embedded by the compiler change when objects are linked: never checked.
                return Value.Of((ulong)spec.RootId, validate: false);
            case BtfCoreRelocationKind.TypeExists:
            case BtfCoreRelocationKind.TypeMatches:
                return Value.Of(1);
            case BtfCoreRelocationKind.TypeSize:
                long? size = CoreTypeFacts.SizeOf(spec.Root);
                return size is null ? Value.Failed($"{CoreTypeFacts.Describe(spec.Root)} has no size") : Value.Of((ulong)size.Value);
            default:
                return Value.Failed($"{CoreKinds.Describe(kind)} is not a type relocation");
        }
    }

    public static Value EnumValue(CoreSpec? spec, BtfCoreRelocationKind kind)
    {
        switch (kind)
        {
            case BtfCoreRelocationKind.EnumValueExists: return Value.Of(spec is null ? 0u : 1u);
            case BtfCoreRelocationKind.EnumValue:
                if (spec is null) return Value.Poisoned("the enumerator does not exist in the target");
                var accessor = spec.Accessors[0];
                var e = (BtfEnum)accessor.Type;
                long value = e.Values[accessor.Index].Value;
                // A 32-bit enumerator is a signed int on the wire; libbpf widens it with its sign.
                return Value.Of(e.IsEnum64 ? (ulong)value : (ulong)(long)(int)value);
            default:
                return Value.Failed($"{CoreKinds.Describe(kind)} is not an enum value relocation");
        }
    }

    public static Value For(CoreSpec? spec, BtfCoreRelocationKind kind)
        => CoreKinds.IsFieldBased(kind) ? Field(spec, kind)
           : CoreKinds.IsTypeBased(kind) ? Type(spec, kind)
           : EnumValue(spec, kind);
}
