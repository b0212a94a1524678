namespace Ebpf.Maps.Storage;

/// <summary>The entries of a managed hash-type map: key -> slot, bounded by max_entries, optionally
/// ordered by recency for LRU eviction. Every operation takes the store's lock; a slot handed out
/// stays valid after it leaves the store, as an element does under RCU in the kernel.</summary>
internal sealed class KeyedStore<TKey, TSlot>(uint maxEntries, bool evictLeastRecentlyUsed)
    where TKey : unmanaged where TSlot : class
{
    sealed class Entry(TSlot slot)
    {
        public TSlot Slot = slot;
        public LinkedListNode<TKey>? Recency;
    }

    readonly Dictionary<TKey, Entry> _entries = new(ByteWiseComparer<TKey>.Instance);
    readonly LinkedList<TKey> _recency = new();   // most recently used first (LRU only)
    readonly Lock _gate = new();

    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>The slot under <paramref name="key"/> or null; a hit marks the entry as used.</summary>
    public TSlot? Find(in TKey key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry)) return null;
            Touch(entry);
            return entry.Slot;
        }
    }

    /// <summary>Inserts or replaces under the kernel's rules: BPF_NOEXIST on a present key gives -EEXIST,
    /// BPF_EXIST on a missing key -ENOENT, a new key in a full map -E2BIG (an LRU map evicts its least
    /// recently used entry instead). <paramref name="write"/> receives the present slot (or null) and
    /// returns the slot to keep: the same one for an in-place update, a new one for a replacement.</summary>
    public long Upsert<TState>(in TKey key, MapUpdate flags, TState state, Func<TSlot?, TState, TSlot> write)
    {
        lock (_gate)
        {
            bool present = _entries.TryGetValue(key, out var entry);
            if (present && flags == MapUpdate.NoExist) return -Errno.EEXIST;
            if (!present && flags == MapUpdate.Exist) return -Errno.ENOENT;
            if (present)
            {
                entry!.Slot = write(entry.Slot, state);
                Touch(entry);
                return 0;
            }
            if (_entries.Count >= maxEntries)
            {
                if (!evictLeastRecentlyUsed) return -Errno.E2BIG;
                var victim = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(victim.Value);
            }
            var added = new Entry(write(null, state));
            _entries.Add(key, added);
            if (evictLeastRecentlyUsed) added.Recency = _recency.AddFirst(key);
            return 0;
        }
    }

    /// <summary>Removes <paramref name="key"/>: 0, or -ENOENT when absent.</summary>
    public long Remove(in TKey key)
    {
        lock (_gate)
        {
            if (!_entries.Remove(key, out var entry)) return -Errno.ENOENT;
            if (entry.Recency is not null) _recency.Remove(entry.Recency);
            return 0;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recency.Clear();
        }
    }

    /// <summary>A copy of the entries, so enumeration does not hold the lock while a test looks at them.</summary>
    public List<KeyValuePair<TKey, TSlot>> Snapshot()
    {
        lock (_gate)
        {
            var list = new List<KeyValuePair<TKey, TSlot>>(_entries.Count);
            foreach (var (key, entry) in _entries) list.Add(new(key, entry.Slot));
            return list;
        }
    }

    void Touch(Entry entry)
    {
        if (entry.Recency is null || entry.Recency == _recency.First) return;
        _recency.Remove(entry.Recency);
        _recency.AddFirst(entry.Recency);
    }
}

/// <summary>One value with a stable address for <c>ref</c> returns.</summary>
internal sealed class ValueSlot<T>(T value) where T : unmanaged
{
    public T Value = value;
}

/// <summary>One value per CPU, for the per-CPU map types.</summary>
internal sealed class PerCpuSlot<T> where T : unmanaged
{
    T[] _values;

    public PerCpuSlot(uint cpuCount) => _values = new T[cpuCount];

    /// <summary>The value of <paramref name="cpu"/>; grows when the simulated machine gained CPUs.</summary>
    public ref T On(uint cpu)
    {
        if (cpu >= _values.Length) Array.Resize(ref _values, (int)cpu + 1);
        return ref _values[cpu];
    }

    public T[] Copy(uint cpuCount)
    {
        var copy = new T[Math.Max(cpuCount, (uint)_values.Length)];
        _values.CopyTo(copy, 0);
        return copy;
    }

    public void Zero() => Array.Clear(_values);
}
