namespace Ebpf;

/// <summary>A Bloom filter of values (BPF_MAP_TYPE_BLOOM_FILTER): <see cref="Push"/> adds a value,
/// <see cref="Peek"/> says whether a value may have been added (0) or surely was not (-ENOENT).</summary>
/// <remarks>Kernel 5.16. No keys, no deletion. The kernel answers "maybe" for some values never pushed
/// (false positives, fewer with more entries); it never answers "no" for a pushed value. Pass
/// <see cref="MapFlags.ZeroSeed"/> for hashes that are the same on every run.
/// Managed: the filter remembers the exact values, the one answer the kernel may give without false
/// positives, so a test of probe logic is deterministic.</remarks>
[BpfMap(MapType.BloomFilter, KeySize = 0)]
public sealed class BloomFilter<T> : BpfMap where T : unmanaged
{
    readonly HashSet<T> _values = new(Maps.Storage.ByteWiseComparer<T>.Instance);
    readonly Lock _gate = new();

    /// <summary>Defines the filter: <paramref name="maxEntries"/> is the number of values it is sized for.</summary>
    public BloomFilter(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.BloomFilter, maxEntries, flags, pinning) { }

    /// <summary>Adds <paramref name="value"/>; returns 0, or -EINVAL for flags other than Any.</summary>
    /// <remarks><c>bpf_map_push_elem(map, &amp;value, flags)</c>.</remarks>
    [MapHelper(87)]
    public long Push(in T value, MapUpdate flags = MapUpdate.Any)
    {
        if (flags != MapUpdate.Any) return -Errno.EINVAL;
        lock (_gate) _values.Add(value);
        return 0;
    }

    /// <summary>0 when <paramref name="value"/> may have been pushed, -ENOENT when it surely was not.</summary>
    /// <remarks><c>bpf_map_peek_elem(map, &amp;value)</c>: for a Bloom filter the value is the query.</remarks>
    [MapHelper(89)]
    public long Peek(in T value)
    {
        lock (_gate) return _values.Contains(value) ? 0 : -Errno.ENOENT;
    }

    /// <summary>The number of distinct values pushed.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _values.Count; } }
}
