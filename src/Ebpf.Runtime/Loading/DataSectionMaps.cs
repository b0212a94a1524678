using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>Global data sections as maps, the way libbpf makes them: one single-entry ARRAY map per section
/// (<c>.rodata</c>, <c>.data</c>, <c>.bss</c>, and their <c>.name</c> variants), value size = section size, BTF value type
/// = the section's DATASEC. <c>.rodata</c> maps are read-only for programs (BPF_F_RDONLY_PROG) and frozen after their
/// contents are written, so the verifier may use the values as constants (dead-code elimination of disabled paths).</summary>
public static class DataSectionMaps
{
    /// <summary>BPF_F_RDONLY_PROG.</summary>
    public const uint ReadOnlyProgFlag = 0x80;
    /// <summary>BPF_F_MMAPABLE (5.5).</summary>
    public const uint MmapableFlag = 0x400;

    /// <summary>libbpf's kernel name for a section's map: up to 8 characters of the object name, then the section
    /// name (<c>opencoun.rodata</c>); a section name with a second dot (<c>.rodata.str1.1</c>) goes unprefixed.
    /// Truncated to 15 characters, invalid characters replaced by '_'.</summary>
    public static string KernelName(string objectName, string sectionName)
    {
        int suffixLength = Math.Max(7, sectionName.Length);
        int prefixLength = sectionName.IndexOf('.', 1) >= 0 ? 0 : Math.Min(Math.Max(0, 15 - suffixLength), objectName.Length);
        return Syscalls.ObjectName.Sanitize(objectName[..prefixLength] + sectionName);
    }

    /// <summary>The DATASEC describing a section: the spec's own, or the one of that name in the object's BTF.</summary>
    public static BtfDatasec? FindDatasec(DataSectionSpec section, BtfSpec? btf)
        => section.BtfDatasec ?? btf?.FindType<BtfDatasec>(section.Name);

    internal static Map Create(DataSectionSpec section, string objectName, LoadedBtf? btf, List<string> warnings)
    {
        if (section.Size == 0) throw new LoadException($"data section '{section.Name}' is empty (size 0): it cannot become a map");
        if (section.Contents is { } contents && contents.Length > section.Size)
            throw new LoadException($"data section '{section.Name}' has {contents.Length} bytes of contents but a size of {section.Size}");

        // Mmapable as libbpf makes them, so user space reads and writes variables in place (Collection.ReadVariable).
        uint flags = MmapableFlag | (section.IsReadOnly ? ReadOnlyProgFlag : 0);
        var request = new Map.MapCreateRequest(section.Name, MapType.Array, 4, section.Size, 1, flags)
        {
            KernelName = KernelName(objectName, section.Name),
        };
        if (btf is not null && FindDatasec(section, btf.Spec) is { } datasec && btf.Spec.TryGetId(datasec, out int datasecId))
            request = request with { Btf = btf, BtfValueTypeId = (uint)datasecId };

        var map = Map.CreateNew(request, warnings);
        try
        {
            if (section.Name == ".kconfig" && FindDatasec(section, btf?.Spec) is { } kconfig)
                map.Update(stackalloc byte[4], KconfigValues.Contents(kconfig));
            else if (section.Contents is { Length: > 0 } initial)
            {
                var value = new byte[section.Size];
                initial.CopyTo(value, 0);
                map.Update(stackalloc byte[4], value);
            }
            if (section.IsReadOnly) map.Freeze();
            return map;
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }
}
