using System.Buffers.Binary;

namespace Ebpf.Btf;

/// <summary>What libbpf does to an object's <c>.kconfig</c> DATASEC (<c>extern ... __kconfig</c> variables such as
/// <c>LINUX_KERNEL_VERSION</c> or <c>CONFIG_HZ</c>) before BPF_BTF_LOAD: clang leaves every entry at offset 0 with
/// extern linkage, which the kernel rejects. The loader owns this section's layout: each variable goes at the next
/// offset aligned to its size (8 at most; char arrays byte-aligned), becomes an allocated global, and the DATASEC
/// gets the total size. The loader fills the values into a read-only map of that layout.</summary>
public static class BtfKconfigFixup
{
    const uint LinkageGlobalAllocated = 1;

    /// <summary>Returns a spec with <c>.kconfig</c> laid out (the same spec when it has none or it is empty).</summary>
    public static BtfSpec Apply(BtfSpec btf)
    {
        if (btf.FindType<BtfDatasec>(".kconfig") is not { Variables.Count: > 0 } kconfig) return btf;
        var patched = (byte[])btf.RawBytes.Clone();
        int rec = btf.RecordOffset(btf.IdOf(kconfig));
        int vlen = (int)(BinaryPrimitives.ReadUInt32LittleEndian(patched.AsSpan(rec + 4)) & 0xffff);
        uint offset = 0;
        for (int i = 0; i < vlen; i++)
        {
            var entry = patched.AsSpan(rec + 12 + 12 * i);
            int varId = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (!btf.TryGetType(varId, out var t) || t is not BtfVar v)
                throw new BtfFormatException($"DATASEC '.kconfig': entry {i} is type [{varId}], not a VAR");
            uint size = (uint)BtfLayout.SizeOf(v.Type);
            if (size == 0) throw new BtfFormatException($"DATASEC '.kconfig': extern '{v.Name}' has no size");
            uint align = BtfLayout.SkipQualifiers(v.Type) is BtfArray ? 1 : Math.Min(8u, size);
            while ((align & (align - 1)) != 0) align &= align - 1;      // a size of 3, 5, 6 or 7 aligns to its lower power of two
            offset = (offset + align - 1) / align * align;
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], size);
            int varRec = btf.RecordOffset(varId);
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(varRec + 12), LinkageGlobalAllocated);
            offset += size;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(rec + 8), offset);
        return BtfSpec.Parse(patched);
    }
}
