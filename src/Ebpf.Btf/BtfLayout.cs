namespace Ebpf.Btf;

/// <summary>Sizes of BTF types and the type under qualifiers, as libbpf computes them (btf__resolve_size, skip_mods_and_typedefs).</summary>
public static class BtfLayout
{
    const int MaxChain = 64;

    /// <summary>Size in bytes of a value of <paramref name="type"/>; throws for types without a size (void, FWD, FUNC).</summary>
    public static ulong SizeOf(BtfType type)
    {
        ulong multiplier = 1;
        for (int depth = 0; depth < MaxChain; depth++)
        {
            switch (type)
            {
                case BtfInt i: return multiplier * (ulong)i.Size;
                case BtfPointer: return multiplier * 8;
                case BtfStruct s: return multiplier * s.Size;
                case BtfEnum e: return multiplier * e.Size;
                case BtfFloat f: return multiplier * f.Size;
                case BtfDatasec d: return multiplier * d.Size;
                case BtfArray a: multiplier *= a.Count; type = a.Element; continue;
                case BtfTypedef t: type = t.Target; continue;
                case BtfQualifier q: type = q.Target; continue;
                case BtfTag { IsTypeTag: true } tt: type = tt.Target; continue;
                case BtfVar v: type = v.Type; continue;
                default: throw new ArgumentException($"{type} has no size", nameof(type));
            }
        }
        throw new ArgumentException($"type chain deeper than {MaxChain} levels", nameof(type));
    }

    /// <summary>The type behind typedefs, const/volatile/restrict and type tags.</summary>
    public static BtfType SkipQualifiers(BtfType type)
    {
        for (int depth = 0; depth < MaxChain; depth++)
        {
            switch (type)
            {
                case BtfTypedef t: type = t.Target; continue;
                case BtfQualifier q: type = q.Target; continue;
                case BtfTag { IsTypeTag: true } tt: type = tt.Target; continue;
                default: return type;
            }
        }
        throw new ArgumentException($"type chain deeper than {MaxChain} levels", nameof(type));
    }
}
