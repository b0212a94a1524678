namespace Ebpf;

/// <summary>Maps of maps by index (BPF_MAP_TYPE_ARRAY_OF_MAPS): each slot holds a map shaped like
/// <typeparamref name="TInner"/> (its type, key and value) with <c>innerMaxEntries</c> entries, which user space stores.</summary>
/// <remarks>Kernel 4.12. The object describes the inner template as libbpf's <c>__array(values, struct inner)</c>.
/// Programs cannot yet look an inner map up (a map held in a local is outside the compiler's subset); user space
/// fills and reads the slots.</remarks>
[BpfMap(MapType.ArrayOfMaps, KeySize = 4, ValueSize = 4)]
public sealed class ArrayOfMaps<TInner>(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.ArrayOfMaps, maxEntries, flags, pinning) where TInner : BpfMap
{
    /// <summary>The max_entries of the inner template.</summary>
    [ManagedOnly] public uint InnerMaxEntries { get; } = innerMaxEntries;
}

/// <summary>Maps of maps by key (BPF_MAP_TYPE_HASH_OF_MAPS): each key holds a map shaped like <typeparamref name="TInner"/>.</summary>
/// <remarks>Kernel 4.12. See <see cref="ArrayOfMaps{TInner}"/>.</remarks>
[BpfMap(MapType.HashOfMaps, ValueSize = 4)]
public sealed class HashOfMaps<TKey, TInner>(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.HashOfMaps, maxEntries, flags, pinning) where TKey : unmanaged where TInner : BpfMap
{
    /// <summary>The max_entries of the inner template.</summary>
    [ManagedOnly] public uint InnerMaxEntries { get; } = innerMaxEntries;
}
