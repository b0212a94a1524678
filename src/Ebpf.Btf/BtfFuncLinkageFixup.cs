using System.Buffers.Binary;

namespace Ebpf.Btf;

/// <summary>Makes the BTF FUNCs of the named functions static (linkage 0 in the FUNC's vlen bits), as libbpf does for
/// hidden global sub-programs: the kernel verifies a global function on its own, from its BTF signature (a pointer
/// argument may then be null), and a static one as part of each caller. Type ids do not change.</summary>
public static class BtfFuncLinkageFixup
{
    const int KindFunc = 12;

    public static BtfSpec MakeStatic(BtfSpec btf, IReadOnlySet<string> functionNames)
    {
        if (functionNames.Count == 0) return btf;
        byte[]? patched = null;
        for (int id = 1; id < btf.Types.Count; id++)
        {
            if (btf[id] is not BtfFunc { Linkage: not BtfFuncLinkage.Static } f || f.Name is null || !functionNames.Contains(f.Name)) continue;
            patched ??= (byte[])btf.RawBytes.Clone();
            var info = patched.AsSpan(btf.RecordOffset(id) + 4);
            BinaryPrimitives.WriteUInt32LittleEndian(info, (uint)KindFunc << 24);    // kind FUNC, vlen (linkage) 0 = static
        }
        return patched is null ? btf : BtfSpec.Parse(patched);
    }
}
