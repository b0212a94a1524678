using System.Collections.Concurrent;

namespace Ebpf;

// CONTRACT (signatures): language.md §3. Programs only look inner maps up (the kernel allows no other helper
// on a map of maps); user space stores them, which the managed Set/Remove model (no [MapHelper]: programs cannot).

/// <summary>Maps of maps by index (BPF_MAP_TYPE_ARRAY_OF_MAPS): each slot holds a map shaped like
/// <typeparamref name="TInner"/> (its type, key and value) with <c>innerMaxEntries</c> entries, which user space stores.</summary>
/// <remarks>Kernel 4.12. The object describes the inner template as libbpf's <c>__array(values, struct inner)</c>.
/// A program looks a slot up with <see cref="Lookup"/> and, once it has checked the result for null, calls the
/// inner map's own methods on it: <c>var inner = Outer.Lookup(i); if (inner == null) return 0; inner.Lookup(k)</c>.</remarks>
[BpfMap(MapType.ArrayOfMaps, KeySize = 4, ValueSize = 4)]
public sealed class ArrayOfMaps<TInner>(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.ArrayOfMaps, maxEntries, flags, pinning) where TInner : BpfMap
{
    readonly TInner?[] _slots = new TInner?[maxEntries];

    /// <summary>The max_entries of the inner template.</summary>
    [ManagedOnly] public uint InnerMaxEntries { get; } = innerMaxEntries;

    /// <summary>The inner map in slot <paramref name="index"/>, or null when the slot is empty or out of range.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;index)</c>: the kernel returns the inner map itself (CONST_PTR_TO_MAP
    /// once checked for NULL), which the inner map's methods take as their map argument.</remarks>
    [MapHelper(1)]
    public TInner? Lookup(in uint index) => index < _slots.Length ? Volatile.Read(ref _slots[index]) : null;

    /// <summary>Stores <paramref name="inner"/> in slot <paramref name="index"/>, as user space does with the inner map's fd.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the array (the kernel: E2BIG).</exception>
    /// <exception cref="ArgumentException">The inner map's size differs from the template's (the kernel: EINVAL).</exception>
    [ManagedOnly]
    public void Set(uint index, TInner inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (index >= _slots.Length) throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is outside the array of {_slots.Length} maps.");
        InnerTemplate.Check(inner, InnerMaxEntries);
        Volatile.Write(ref _slots[index], inner);
    }

    /// <summary>Empties slot <paramref name="index"/>; false when it was empty or out of range.</summary>
    [ManagedOnly]
    public bool Remove(uint index) => index < _slots.Length && Interlocked.Exchange(ref _slots[index], null) is not null;
}

/// <summary>Maps of maps by key (BPF_MAP_TYPE_HASH_OF_MAPS): each key holds a map shaped like <typeparamref name="TInner"/>.</summary>
/// <remarks>Kernel 4.12. See <see cref="ArrayOfMaps{TInner}"/>.</remarks>
[BpfMap(MapType.HashOfMaps, ValueSize = 4)]
public sealed class HashOfMaps<TKey, TInner>(uint maxEntries, uint innerMaxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.HashOfMaps, maxEntries, flags, pinning) where TKey : unmanaged where TInner : BpfMap
{
    readonly ConcurrentDictionary<TKey, TInner> _inner = new(Maps.Storage.ByteWiseComparer<TKey>.Instance);

    /// <summary>The max_entries of the inner template.</summary>
    [ManagedOnly] public uint InnerMaxEntries { get; } = innerMaxEntries;

    /// <summary>The inner map stored under <paramref name="key"/>, or null.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;key)</c>; see <see cref="ArrayOfMaps{TInner}.Lookup"/>.</remarks>
    [MapHelper(1)]
    public TInner? Lookup(in TKey key) => _inner.TryGetValue(key, out var inner) ? inner : null;

    /// <summary>Stores <paramref name="inner"/> under <paramref name="key"/>, as user space does with the inner map's fd.</summary>
    /// <exception cref="InvalidOperationException">A new key in a full map (the kernel: E2BIG).</exception>
    /// <exception cref="ArgumentException">The inner map's size differs from the template's (the kernel: EINVAL).</exception>
    [ManagedOnly]
    public void Set(TKey key, TInner inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        InnerTemplate.Check(inner, InnerMaxEntries);
        lock (_inner)
        {
            if (!_inner.ContainsKey(key) && _inner.Count >= MaxEntries)
                throw new InvalidOperationException($"The map of maps is full ({MaxEntries} entries).");
            _inner[key] = inner;
        }
    }

    /// <summary>Removes the inner map under <paramref name="key"/>; false when there was none.</summary>
    [ManagedOnly]
    public bool Remove(TKey key) => _inner.TryRemove(key, out _);

    /// <summary>The number of inner maps stored.</summary>
    [ManagedOnly] public int Count => _inner.Count;
}

/// <summary>The kernel's check of an inner map against the outer map's template (bpf_map_meta_equal): the type,
/// key and value follow from <c>TInner</c>; what remains is the size.</summary>
static class InnerTemplate
{
    public static void Check(BpfMap inner, uint maxEntries)
    {
        if (inner.MaxEntries != maxEntries)
            throw new ArgumentException($"The inner map has {inner.MaxEntries} entries; the template has {maxEntries} (the kernel refuses it with EINVAL).", nameof(inner));
    }
}
