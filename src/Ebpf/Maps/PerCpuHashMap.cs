using System.Collections;
using System.Runtime.CompilerServices;
using Ebpf.Maps.Storage;

namespace Ebpf;

/// <summary>A hash map with one value per CPU under each key (BPF_MAP_TYPE_PERCPU_HASH).</summary>
/// <remarks>Kernel 4.6. A program sees the value of the CPU it runs on (managed: <see cref="BpfEnvironment.ProcessorId"/>),
/// so counters need no atomics. A program's update of a new key sets its CPU's value and zeroes the others;
/// of an existing key, only its CPU's value. User space reads and writes all CPUs at once
/// (<see cref="LookupAllCpus"/>, <see cref="UpdateAllCpus"/>).</remarks>
[BpfMap(MapType.PercpuHash)]
public class PerCpuHashMap<TKey, TValue> : BpfMap, IEnumerable<KeyValuePair<TKey, TValue[]>>
    where TKey : unmanaged where TValue : unmanaged
{
    readonly KeyedStore<TKey, PerCpuSlot<TValue>> _store;

    /// <summary>Defines the map: <paramref name="maxEntries"/> is its capacity (in keys).</summary>
    public PerCpuHashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : this(MapType.PercpuHash, maxEntries, flags, pinning) { }

    private protected PerCpuHashMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning)
        : base(type, maxEntries, flags, pinning)
        => _store = new(maxEntries, evictLeastRecentlyUsed: type == MapType.LruPercpuHash);

    /// <summary>A reference to the current CPU's value under <paramref name="key"/>, or a null reference.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(1)]
    public ref TValue Lookup(in TKey key)
    {
        var slot = _store.Find(key);
        if (slot is null) return ref Unsafe.NullRef<TValue>();
        return ref slot.On(BpfEnvironment.Current.ProcessorId);
    }

    /// <summary>A reference to the value of CPU <paramref name="cpu"/> under <paramref name="key"/>, or a null
    /// reference (also when the CPU does not exist).</summary>
    /// <remarks><c>bpf_map_lookup_percpu_elem(map, &amp;key, cpu)</c>, kernel 5.19.</remarks>
    [MapHelper(195)]
    public ref TValue LookupOnCpu(in TKey key, uint cpu)
    {
        var slot = cpu < BpfEnvironment.Current.CpuCount ? _store.Find(key) : null;
        if (slot is null) return ref Unsafe.NullRef<TValue>();
        return ref slot.On(cpu);
    }

    /// <summary>Copies the current CPU's value under <paramref name="key"/>; false when absent.</summary>
    /// <remarks><c>bpf_map_lookup_elem</c>, then a copy when not NULL.</remarks>
    [MapHelper(1)]
    public bool TryGetValue(in TKey key, out TValue value)
    {
        var slot = _store.Find(key);
        value = slot is null ? default : slot.On(BpfEnvironment.Current.ProcessorId);
        return slot is not null;
    }

    /// <summary>Sets the current CPU's value under <paramref name="key"/>; returns 0 or a negative errno
    /// (-EEXIST, -ENOENT, -E2BIG as for <see cref="HashMap{TKey, TValue}.Update"/>).</summary>
    /// <remarks><c>bpf_map_update_elem(map, &amp;key, &amp;value, flags)</c>.</remarks>
    [MapHelper(2)]
    public long Update(in TKey key, in TValue value, MapUpdate flags = MapUpdate.Any)
    {
        long check = CheckUpdateFlags(flags);
        if (check != 0) return check;
        var env = BpfEnvironment.Current;
        return _store.Upsert(key, flags, (value, env.ProcessorId, env.CpuCount), static (slot, s) =>
        {
            slot ??= new PerCpuSlot<TValue>(s.CpuCount);
            slot.On(s.ProcessorId) = s.value;
            return slot;
        });
    }

    /// <summary>Removes the key (all CPUs' values); returns 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in TKey key) => _store.Remove(key);

    /// <summary>Every CPU's value under <paramref name="key"/> (index = CPU), or null when absent: what
    /// user space reads with BPF_MAP_LOOKUP_ELEM.</summary>
    [ManagedOnly]
    public TValue[]? LookupAllCpus(in TKey key) => _store.Find(key)?.Copy(BpfEnvironment.Current.CpuCount);

    /// <summary>Sets every CPU's value under <paramref name="key"/> (index = CPU, missing CPUs zero), as user
    /// space's BPF_MAP_UPDATE_ELEM does; returns 0 or a negative errno.</summary>
    [ManagedOnly]
    public long UpdateAllCpus(in TKey key, ReadOnlySpan<TValue> values, MapUpdate flags = MapUpdate.Any)
    {
        long check = CheckUpdateFlags(flags);
        if (check != 0) return check;
        uint cpus = BpfEnvironment.Current.CpuCount;
        if (values.Length > cpus) throw new ArgumentException($"{values.Length} values for {cpus} CPUs.", nameof(values));
        var copy = values.ToArray();
        return _store.Upsert(key, flags, (copy, cpus), static (slot, s) =>
        {
            slot ??= new PerCpuSlot<TValue>(s.cpus);
            slot.Zero();
            for (uint cpu = 0; cpu < s.copy.Length; cpu++) slot.On(cpu) = s.copy[cpu];
            return slot;
        });
    }

    /// <summary>The number of keys.</summary>
    [ManagedOnly] public int Count => _store.Count;

    /// <summary>Removes every entry.</summary>
    [ManagedOnly] public void Clear() => _store.Clear();

    /// <summary>A snapshot of the entries, each with every CPU's value.</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<TKey, TValue[]>> GetEnumerator()
    {
        uint cpus = BpfEnvironment.Current.CpuCount;
        foreach (var (key, slot) in _store.Snapshot()) yield return new(key, slot.Copy(cpus));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A per-CPU hash map that evicts its least recently used key when full (BPF_MAP_TYPE_LRU_PERCPU_HASH).</summary>
/// <remarks>Kernel 4.10. See <see cref="LruHashMap{TKey, TValue}"/> for the eviction order.</remarks>
[BpfMap(MapType.LruPercpuHash)]
public sealed class LruPerCpuHashMap<TKey, TValue> : PerCpuHashMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    /// <summary>Defines the map: <paramref name="maxEntries"/> is its capacity (in keys).</summary>
    public LruPerCpuHashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.LruPercpuHash, maxEntries, flags, pinning) { }
}
