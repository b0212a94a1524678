using System.Buffers.Binary;

namespace Ebpf.Btf;

/// <summary>What libbpf does to an object's BTF before BPF_BTF_LOAD (<c>btf_fixup_datasec</c>): clang leaves
/// DATASEC sizes and the offsets of global variables 0, for a linker to fill in. This fills them from the
/// ELF section sizes and symbol values and sorts each DATASEC's entries by offset.</summary>
public static class BtfDatasecFixup
{
    /// <summary>Returns a spec whose DATASECs are complete (the same spec when nothing needed fixing).</summary>
    /// <param name="sectionSize">Size of the ELF section of that name, or null when there is none.</param>
    /// <param name="globalSymbolOffset">st_value of the GLOBAL (or WEAK) STT_OBJECT symbol of that name, or null.</param>
    /// <exception cref="BtfFormatException">A DATASEC of size 0 has no section, or a global VAR has no symbol.</exception>
    public static BtfSpec Apply(BtfSpec btf, Func<string, ulong?> sectionSize, Func<string, ulong?> globalSymbolOffset)
    {
        byte[]? patched = null;
        for (int id = 1; id < btf.Types.Count; id++)
        {
            if (btf[id] is not BtfDatasec d) continue;
            // Extern pseudo-sections are laid out by the loader itself.
            if (d.Name is ".kconfig" or ".ksyms") continue;
            int rec = btf.RecordOffset(id);
            var raw = patched ?? btf.RawBytes;
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(rec + 8));
            int vlen = (int)(BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(rec + 4)) & 0xffff);
            bool fixOffsets = size == 0;
            var entries = new (uint Type, uint Offset, uint Size)[vlen];
            for (int i = 0; i < vlen; i++)
            {
                var e = raw.AsSpan(rec + 12 + 12 * i);
                entries[i] = (BinaryPrimitives.ReadUInt32LittleEndian(e), BinaryPrimitives.ReadUInt32LittleEndian(e[4..]), BinaryPrimitives.ReadUInt32LittleEndian(e[8..]));
            }
            if (fixOffsets)
            {
                ulong elfSize = sectionSize(d.Name ?? "") ?? 0;
                if (elfSize == 0)
                    throw new BtfFormatException($"DATASEC '{d.Name}' has size 0 and the object has no non-empty section of that name to take it from");
                if (elfSize > uint.MaxValue)
                    throw new BtfFormatException($"DATASEC '{d.Name}': its ELF section's {elfSize} bytes are more than a DATASEC can describe (4 GiB)");
                size = (uint)elfSize;
                for (int i = 0; i < vlen; i++)
                {
                    if (!btf.TryGetType((int)entries[i].Type, out var t) || t is not BtfVar v) continue;
                    if (v.Linkage is BtfVarLinkage.Static or BtfVarLinkage.GlobalExtern) continue;
                    ulong off = globalSymbolOffset(v.Name ?? "")
                        ?? throw new BtfFormatException($"DATASEC '{d.Name}': no global ELF symbol for VAR '{v.Name}'");
                    if (off > size || entries[i].Size > size - off)
                        throw new BtfFormatException($"DATASEC '{d.Name}': VAR '{v.Name}' at offset {off} (its ELF symbol's value) with size {entries[i].Size} lies outside the {size}-byte section");
                    entries[i].Offset = (uint)off;
                }
            }
            foreach (var e in entries)
                if ((ulong)e.Offset + e.Size > size)
                    throw new BtfFormatException($"DATASEC '{d.Name}': the entry of type [{e.Type}] at offset {e.Offset} with size {e.Size} lies outside the {size}-byte section");
            var sorted = entries.OrderBy(e => e.Offset).ToArray();
            if (!fixOffsets && sorted.SequenceEqual(entries)) continue;
            patched ??= (byte[])btf.RawBytes.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(rec + 8), size);
            for (int i = 0; i < vlen; i++)
            {
                var e = patched.AsSpan(rec + 12 + 12 * i);
                BinaryPrimitives.WriteUInt32LittleEndian(e, sorted[i].Type);
                BinaryPrimitives.WriteUInt32LittleEndian(e[4..], sorted[i].Offset);
                BinaryPrimitives.WriteUInt32LittleEndian(e[8..], sorted[i].Size);
            }
        }
        return patched == null ? btf : BtfSpec.Parse(patched);
    }
}
