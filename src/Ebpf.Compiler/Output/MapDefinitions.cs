using Ebpf.Btf;
using Ebpf.Compiler.Types;
using Ebpf.Rules.Model;
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
    /// (null for map types that take no BTF key/value types).</summary>
    public (BtfStruct Definition, BtfType? Key, BtfType? Value) Define(MapModel map)
    {
        var members = new List<(string Name, BtfType Type)> { ("type", Uint((uint)map.Type)) };
        if (map.MaxEntries != 0) members.Add(("max_entries", Uint(map.MaxEntries)));

        bool typed = TakesBtfKeyValue(map.Type);
        BtfType? key = typed && map.KeyType != null ? _mapper.Map(map.KeyType) : null;
        BtfType? value = typed && map.ValueType != null ? _mapper.Map(map.ValueType) : null;
        if (key != null) members.Add(("key", new BtfPointer(key)));
        else if (map.KeySize != 0) members.Add(("key_size", Uint(map.KeySize)));
        if (value != null) members.Add(("value", new BtfPointer(value)));
        else if (map.ValueSize != 0) members.Add(("value_size", Uint(map.ValueSize)));

        if (map.Flags != 0) members.Add(("map_flags", Uint(map.Flags)));
        if (map.Pinning != MapPinning.None) members.Add(("pinning", Uint((uint)map.Pinning)));

        var definition = new BtfStruct(null, (uint)(members.Count * 8));
        for (int i = 0; i < members.Count; i++)
            definition.Members.Add(new BtfMember(members[i].Name, members[i].Type, (uint)(i * 64)));
        return (definition, key, value);
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
