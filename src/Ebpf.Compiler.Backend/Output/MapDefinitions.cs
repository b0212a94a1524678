using Ebpf.Btf;
using Ebpf.Compiler.Types;
using Ebpf.Object;

namespace Ebpf.Compiler.Output;

/// <summary>libbpf's BTF-defined map definitions (<c>struct { __uint(type, ...); __type(key, ...); ... } NAME SEC(".maps")</c>),
/// encoded exactly as clang encodes the libbpf macros (object-format reference §3.5): every attribute is
/// an 8-byte pointer member; <c>__uint(name, N)</c> is a pointer to <c>int[N]</c>, <c>__type(name, T)</c> a
/// pointer to T. The struct is anonymous; its VAR (global linkage) carries the map's name.</summary>
sealed class MapDefinitions
{
    readonly BtfTypeMapper _mapper;
    readonly Dictionary<uint, BtfPointer> _uints = new();

    public MapDefinitions(BtfTypeMapper mapper) => _mapper = mapper;

    /// <summary>The definition struct of <paramref name="map"/> and the BTF key/value types the kernel gets
    /// (null for map types that take no BTF key/value types); for a map of maps also those of its inner template,
    /// described as libbpf's <c>__array(values, struct { ... })</c>: a zero-length array of pointers to the inner
    /// definition, after the other members and not counted in the struct's size.</summary>
    public (BtfStruct Definition, BtfType? Key, BtfType? Value, (BtfType? Key, BtfType? Value)? Inner) Define(LoweredMap map)
    {
        var (members, key, value) = Members(map.Type, map.MaxEntries, map.KeyType, map.ValueType, map.KeySize, map.ValueSize, map.Flags, map.Pinning);
        (BtfType? Key, BtfType? Value)? inner = null;
        BtfType? values = null;
        if (map.Inner is { } template)
        {
            var (innerMembers, innerKey, innerValue) = Members(template.Type, template.MaxEntries, template.KeyType, template.ValueType,
                template.KeySize, template.ValueSize, template.Flags, MapPinning.None);
            values = new BtfArray(new BtfPointer(Struct(innerMembers)), 0);
            inner = (innerKey, innerValue);
        }
        var definition = Struct(members);
        if (values != null) definition.Members.Add(new BtfMember("values", values, (uint)(members.Count * 64)));
        return (definition, key, value, inner);
    }

    (List<(string Name, BtfType Type)> Members, BtfType? Key, BtfType? Value) Members(MapType type, uint maxEntries, DataType? keyType,
        DataType? valueType, uint keySize, uint valueSize, uint flags, MapPinning pinning)
    {
        var members = new List<(string Name, BtfType Type)> { ("type", Uint((uint)type)) };
        if (maxEntries != 0) members.Add(("max_entries", Uint(maxEntries)));

        bool typed = TakesBtfKeyValue(type);
        BtfType? key = typed && keyType != null ? _mapper.Map(keyType) : null;
        BtfType? value = typed && valueType != null ? _mapper.Map(valueType) : null;
        if (key != null) members.Add(("key", new BtfPointer(key)));
        else if (keySize != 0) members.Add(("key_size", Uint(keySize)));
        if (value != null) members.Add(("value", new BtfPointer(value)));
        else if (valueSize != 0) members.Add(("value_size", Uint(valueSize)));

        if (flags != 0) members.Add(("map_flags", Uint(flags)));
        if (pinning != MapPinning.None) members.Add(("pinning", Uint((uint)pinning)));
        return (members, key, value);
    }

    /// <summary>An anonymous struct of 8-byte pointer members, as clang lays out libbpf's map macros.</summary>
    static BtfStruct Struct(List<(string Name, BtfType Type)> members)
    {
        var definition = new BtfStruct(null, (uint)(members.Count * 8));
        for (int i = 0; i < members.Count; i++)
            definition.Members.Add(new BtfMember(members[i].Name, members[i].Type, (uint)(i * 64)));
        return definition;
    }

    /// <summary><c>__uint(name, n)</c>: a pointer to <c>int[n]</c> (one per distinct n, as clang does).</summary>
    BtfPointer Uint(uint n)
    {
        if (!_uints.TryGetValue(n, out var pointer))
            _uints[n] = pointer = new BtfPointer(new BtfArray(_mapper.Int, n));
        return pointer;
    }

#pragma warning disable CS8524 // every named map type is listed

    /// <summary>Whether the kernel accepts BTF key/value type ids for this map type when creating it. libbpf
    /// passes none for the types below that say false (and so does our runtime); for them the definition
    /// gives <c>key_size</c>/<c>value_size</c> instead of types.</summary>
    public static bool TakesBtfKeyValue(MapType type) => type switch
    {
        MapType.Hash or MapType.Array or MapType.PerCpuHash or MapType.PerCpuArray or MapType.LruHash or MapType.LruPerCpuHash
            or MapType.LpmTrie or MapType.CgroupStorage or MapType.PerCpuCgroupStorage or MapType.SkStorage or MapType.InodeStorage
            or MapType.TaskStorage or MapType.CgrpStorage or MapType.BloomFilter => true,
        MapType.Unspecified or MapType.ProgArray or MapType.PerfEventArray or MapType.StackTrace or MapType.CgroupArray
            or MapType.ArrayOfMaps or MapType.HashOfMaps or MapType.DevMap or MapType.SockMap or MapType.CpuMap or MapType.XskMap
            or MapType.SockHash or MapType.ReuseportSockArray or MapType.Queue or MapType.Stack or MapType.DevMapHash
            or MapType.StructOps or MapType.RingBuf or MapType.UserRingBuf or MapType.Arena => false,
    };

#pragma warning restore CS8524
}
