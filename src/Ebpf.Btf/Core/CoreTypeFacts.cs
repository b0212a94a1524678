namespace Ebpf.Btf.Core;

/// <summary>Small facts about BTF types that the CO-RE algorithm asks (kind compatibility, sizes, flexible arrays).</summary>
internal static class CoreTypeFacts
{
    /// <summary>Same BTF kind, or both enums (ENUM and ENUM64 relocate into each other).</summary>
    public static bool KindsCompatible(BtfType local, BtfType target)
        => (local is BtfEnum && target is BtfEnum) || BtfKinds.Of(local) == BtfKinds.Of(target);

    /// <summary>Size in bytes, or null for a type without one (void, FWD, FUNC).</summary>
    public static long? SizeOf(BtfType type)
    {
        try { return checked((long)BtfLayout.SizeOf(type)); }
        catch (ArgumentException) { return null; }
        catch (OverflowException) { return null; }
    }

    /// <summary>True when <paramref name="array"/> is a flexible array member: zero elements and the last member of
    /// the struct or union that <paramref name="previous"/> (a named member accessor) steps into.</summary>
    public static bool IsFlexibleArray(CoreAccessor? previous, BtfArray array)
        => previous is { Name: not null, Type: BtfStruct s } && array.Count == 0 && previous.Index == s.Members.Count - 1;

    /// <summary>Signedness as libbpf reports it for FIELD_SIGNED: signed ints and signed enums.</summary>
    public static bool IsSigned(BtfType type) => type switch
    {
        BtfInt i => i.IsSigned,
        BtfEnum e => e.IsSigned,
        _ => false,
    };

    public static string Describe(BtfType type)
    {
        string kind = type switch
        {
            BtfStruct { IsUnion: true } => "union",
            BtfStruct => "struct",
            BtfEnum => "enum",
            BtfTypedef => "typedef",
            BtfInt => "int",
            BtfForward { IsUnion: true } => "union (forward)",
            BtfForward => "struct (forward)",
            _ => BtfKinds.Of(type).ToString().ToLowerInvariant(),
        };
        return string.IsNullOrEmpty(type.Name) ? $"anonymous {kind}" : $"{kind} {type.Name}";
    }
}
