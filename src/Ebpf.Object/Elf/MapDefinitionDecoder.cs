using Ebpf.Btf;

namespace Ebpf.Object.Elf;

/// <summary>Decodes a BTF-defined map (a VAR of the <c>.maps</c> DATASEC) the way libbpf 1.1's
/// <c>parse_btf_map_def</c> does: <c>__uint(name, N)</c> members are pointers to arrays of N elements,
/// <c>__type(key, T)</c> members are pointers to T.</summary>
internal static class MapDefinitionDecoder
{
    public static MapSpec Decode(BtfVar var, Func<string, Exception> error)
    {
        string name = var.Name ?? "";
        if (var.Linkage != BtfVarLinkage.GlobalAllocated)
            throw error($"map '{name}': unsupported map linkage {var.Linkage} (maps must be global)");
        if (BtfLayout.SkipQualifiers(var.Type) is not BtfStruct def || def.IsUnion)
            throw error($"map '{name}': the map definition is not a struct");
        var map = DecodeDefinition(name, def, inner: false, error);
        map.BtfVar = var;
        return map;
    }

    static MapSpec DecodeDefinition(string name, BtfStruct def, bool inner, Func<string, Exception> error)
    {
        var map = new MapSpec { Name = name };
        bool hasType = false;
        uint? keySize = null, valueSize = null;
        foreach (var m in def.Members)
        {
            switch (m.Name)
            {
                case "type": map.Type = (MapType)Int(m); hasType = true; break;
                case "max_entries": map.MaxEntries = Int(m); break;
                case "map_flags": map.Flags = Int(m); break;
                case "numa_node": map.NumaNode = Int(m); break;
                case "map_extra": map.MapExtra = Int(m); break;
                case "pinning":
                    uint pinning = Int(m);
                    if (pinning > 1) throw error($"map '{name}': invalid pinning value {pinning}");
                    map.Pinning = (MapPinning)pinning;
                    break;
                case "key_size": keySize = Check("key", keySize, Int(m)); break;
                case "value_size": valueSize = Check("value", valueSize, Int(m)); break;
                case "key":
                    map.KeyType = Pointee(m);
                    keySize = Check("key", keySize, Size(m, map.KeyType));
                    break;
                case "value":
                    map.ValueType = Pointee(m);
                    valueSize = Check("value", valueSize, Size(m, map.ValueType));
                    break;
                case "values":
                    // A map of maps' inner template: a zero-length array of pointers to the inner definition.
                    if (inner) throw error($"map '{name}': an inner map cannot itself hold maps");
                    if (BtfLayout.SkipQualifiers(m.Type) is not BtfArray { Count: 0 } values
                        || BtfLayout.SkipQualifiers(values.Element) is not BtfPointer { Target: var target }
                        || BtfLayout.SkipQualifiers(target) is not BtfStruct innerDef)
                        throw error($"map '{name}': 'values' is not a zero-length array of pointers to a map definition");
                    map.InnerMap = DecodeDefinition(name + ".inner", innerDef, inner: true, error);
                    break;
                default:
                    throw error($"map '{name}': unknown field '{m.Name}'");
            }
        }
        if (!hasType) throw error($"map '{name}': the definition has no 'type' field");
        if (map.InnerMap is not null && map.Type is not (MapType.ArrayOfMaps or MapType.HashOfMaps))
            throw error($"map '{name}': 'values' as map initialisation of a {map.Type} map is not supported yet");
        map.KeySize = keySize ?? 0;
        // A map of maps holds map fds: libbpf fills in the 4-byte value size when the definition gives none.
        map.ValueSize = valueSize ?? (map.InnerMap is not null ? 4u : 0);
        return map;

        uint Int(BtfMember m)
        {
            if (BtfLayout.SkipQualifiers(m.Type) is not BtfPointer p)
                throw error($"map '{name}': attribute '{m.Name}' is not a pointer (expected __uint({m.Name}, N))");
            if (BtfLayout.SkipQualifiers(p.Target) is not BtfArray a)
                throw error($"map '{name}': attribute '{m.Name}' does not point to an array (expected __uint({m.Name}, N))");
            return a.Count;
        }

        BtfType Pointee(BtfMember m) => BtfLayout.SkipQualifiers(m.Type) is BtfPointer p
            ? p.Target
            : throw error($"map '{name}': '{m.Name}' is not a pointer (expected __type({m.Name}, T))");

        uint Size(BtfMember m, BtfType t)
        {
            try { return checked((uint)BtfLayout.SizeOf(t)); }
            catch (OverflowException)
            {
                throw error($"map '{name}': the {m.Name} type is larger than 4 GiB");
            }
            catch (ArgumentException e)
            {
                throw error($"map '{name}': cannot size the {m.Name} type: {(e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message)}");
            }
        }

        uint Check(string what, uint? existing, uint value) => existing is { } old && old != value
            ? throw error($"map '{name}': conflicting {what} sizes {old} and {value}")
            : value;
    }
}
