using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Hash maps (<c>BPF_MAP_TYPE_HASH</c>, <c>PERCPU_HASH</c>, <c>LRU_HASH</c>, <c>LRU_PERCPU_HASH</c>): each value
/// has its own region, stable while the key stays in the map. A full map refuses new keys with -E2BIG; an LRU map
/// evicts the least recently used key instead.</summary>
public sealed class HashTable : InterpreterMap
{
    sealed class Entry(byte[] value, MemoryRegion region)
    {
        public byte[] Value { get; } = value;
        public MemoryRegion Region { get; } = region;
        public long LastUse { get; set; }
    }

    readonly Dictionary<byte[], Entry> _entries = new(KeyComparer.Instance);
    readonly bool _lru;
    long _clock;

    internal HashTable(string name, KernelMapType type, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, type, keySize, valueSize, maxEntries, memory)
        => _lru = type is KernelMapType.LruHash or KernelMapType.LruPerCpuHash;

    public int Count => _entries.Count;

    internal override ulong LookupAddress(ReadOnlySpan<byte> key)
    {
        if (!_entries.TryGetValue(key.ToArray(), out var entry)) return 0;
        entry.LastUse = ++_clock;
        return entry.Region.Address;
    }

    internal override long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        if (flags > Exist) return -EINVAL;
        var k = key.ToArray();
        if (_entries.TryGetValue(k, out var entry))
        {
            if (flags == NoExist) return -EEXIST;
            value.CopyTo(entry.Value);
            entry.LastUse = ++_clock;
            return 0;
        }
        if (flags == Exist) return -ENOENT;
        if (_entries.Count >= MaxEntries)
        {
            if (!_lru) return -E2BIG;
            var victim = _entries.MinBy(e => e.Value.LastUse);
            Remove(victim.Key, victim.Value);
        }
        var bytes = value.ToArray();
        var region = Memory.Map($"value of map '{Name}' key {Convert.ToHexString(k)}", RegionKind.MapValue, bytes);
        _entries[k] = new Entry(bytes, region) { LastUse = ++_clock };
        return 0;
    }

    internal override long DeleteElement(ReadOnlySpan<byte> key)
    {
        var k = key.ToArray();
        if (!_entries.TryGetValue(k, out var entry)) return -ENOENT;
        Remove(k, entry);
        return 0;
    }

    void Remove(byte[] key, Entry entry)
    {
        _entries.Remove(key);
        Memory.Unmap(entry.Region);
    }

    internal override IReadOnlyList<(byte[] Key, ulong ValueAddress)> Elements()
        => _entries.Select(e => (e.Key, e.Value.Region.Address)).ToList();

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _entries.Select(e => (e.Key.ToArray(), e.Value.Value.ToArray())).ToList();
}
