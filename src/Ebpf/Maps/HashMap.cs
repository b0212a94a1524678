using System.Collections;
using System.Runtime.CompilerServices;
using Ebpf.Maps.Storage;

namespace Ebpf;

// CONTRACT (signatures): language.md §3. The compiler lowers the kernel-side calls to map helpers
// (lookup=1, update=2, delete=3), named by [MapHelper].

/// <summary>A hash map (BPF_MAP_TYPE_HASH): up to <c>maxEntries</c> key/value pairs.</summary>
/// <remarks>Kernel 3.19. Managed behaviour follows the kernel's: a new key in a full map is refused with
/// -E2BIG; updating a key replaces its element, so a reference obtained from <see cref="Lookup"/> before
/// keeps the old value (it stays readable, as an element does under RCU). Enumeration, <see cref="Count"/>
/// and <see cref="Clear"/> are for tests and user space; programs cannot use them.</remarks>
[BpfMap(MapType.Hash)]
public class HashMap<TKey, TValue> : BpfMap, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged where TValue : unmanaged
{
    readonly KeyedStore<TKey, ValueSlot<TValue>> _store;

    /// <summary>Defines the map: <paramref name="maxEntries"/> is its capacity.</summary>
    public HashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : this(MapType.Hash, maxEntries, flags, pinning) { }

    private protected HashMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning)
        : base(type, maxEntries, flags, pinning)
        => _store = new(maxEntries, evictLeastRecentlyUsed: type == MapType.LruHash);

    /// <summary>A reference to the value stored under <paramref name="key"/>, or a null reference (check with <c>Unsafe.IsNullRef</c>).</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(1)]
    public ref TValue Lookup(in TKey key)
    {
        var slot = _store.Find(key);
        if (slot is null) return ref Unsafe.NullRef<TValue>();
        return ref slot.Value;
    }

    /// <summary>Copies the value stored under <paramref name="key"/>; false (and <c>default</c>) when absent.</summary>
    /// <remarks><c>bpf_map_lookup_elem</c>, then a copy of the value when the result is not NULL.</remarks>
    [MapHelper(1)]
    public bool TryGetValue(in TKey key, out TValue value)
    {
        var slot = _store.Find(key);
        value = slot is null ? default : slot.Value;
        return slot is not null;
    }

    /// <summary>Inserts or replaces; returns 0 or a negative errno (-EEXIST for NoExist on an existing key, -ENOENT for Exist on a missing one, -E2BIG when full).</summary>
    /// <remarks><c>bpf_map_update_elem(map, &amp;key, &amp;value, flags)</c>.</remarks>
    [MapHelper(2)]
    public long Update(in TKey key, in TValue value, MapUpdate flags = MapUpdate.Any)
    {
        long check = CheckUpdateFlags(flags);
        if (check != 0) return check;
        return _store.Upsert(key, flags, value, static (_, v) => new ValueSlot<TValue>(v));
    }

    /// <summary>Removes the key; returns 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in TKey key) => _store.Remove(key);

    /// <summary>The number of entries.</summary>
    [ManagedOnly] public int Count => _store.Count;

    /// <summary>Removes every entry.</summary>
    [ManagedOnly] public void Clear() => _store.Clear();

    /// <summary>A snapshot of the entries (in no particular order, as a kernel map iterates).</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        foreach (var (key, slot) in _store.Snapshot()) yield return new(key, slot.Value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
