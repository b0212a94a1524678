using Ebpf.Btf;

namespace Ebpf.Bindings;

/// <summary>Questions about BTF types the generators share.</summary>
internal static class BtfTypes
{
    /// <summary>The type under const/volatile/restrict qualifiers and type tags.</summary>
    public static BtfType SkipQualifiers(BtfType t)
    {
        while (true)
        {
            switch (t)
            {
                case BtfQualifier q: t = q.Target; continue;
                case BtfTag { IsTypeTag: true } tag: t = tag.Target; continue;
                default: return t;
            }
        }
    }

    /// <summary>The type under qualifiers and typedefs.</summary>
    public static BtfType Resolve(BtfType t)
    {
        while (true)
        {
            t = SkipQualifiers(t);
            if (t is BtfTypedef td) { t = td.Target; continue; }
            return t;
        }
    }

    public static bool IsAnonymous(BtfType t) => string.IsNullOrEmpty(t.Name);

    /// <summary>Size in bytes of a type as C lays it out (0 for void, functions and unknown kinds).</summary>
    public static long SizeOf(BtfType t) => Resolve(t) switch
    {
        BtfInt i => i.Size,
        BtfFloat f => f.Size,
        BtfPointer => 8,
        BtfEnum e => e.Size,
        BtfStruct s => s.Size,
        BtfArray a => a.Count * SizeOf(a.Element),
        _ => 0,
    };

    /// <summary>Whether a member is a bit-field, and its absolute bit offset and width: the kflag encoding
    /// (<see cref="BtfMember.BitFieldSize"/>) or the older one (an INT member whose nr_bits is less than its size).</summary>
    public static (bool IsBitfield, long BitOffset, int Bits) Bitfield(BtfMember m, long baseBits)
    {
        if (m.BitFieldSize != 0) return (true, baseBits + m.BitOffset, (int)m.BitFieldSize);
        if (Resolve(m.Type) is BtfInt i && (i.Bits != i.Size * 8 || i.BitOffset != 0))
            return (true, baseBits + m.BitOffset + i.BitOffset, i.Bits);
        if ((baseBits + m.BitOffset) % 8 != 0 && Resolve(m.Type) is BtfInt or BtfEnum)
            return (true, baseBits + m.BitOffset, (int)(SizeOf(m.Type) * 8));
        return (false, baseBits + m.BitOffset, 0);
    }
}
