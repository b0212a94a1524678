using Ebpf.Object;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.Runtime;

/// <summary>A typed view of a map: keys of <typeparamref name="TKey"/>, values of <typeparamref name="TValue"/>,
/// copied to and from the kernel as raw bytes. Enumerating it walks the keys with BPF_MAP_GET_NEXT_KEY and looks
/// each one up (entries deleted meanwhile are skipped).</summary>
/// <remarks>The view does not own the map; dispose the <see cref="Map"/> (or its collection).</remarks>
public sealed class Map<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged where TValue : unmanaged
{
    internal Map(Map map)
    {
        if (map.IsPerCpu)
            throw new InvalidOperationException($"map '{map.Name}' is per-CPU ({MapKinds.KernelName(map.Type)}): use AsPerCpu<{typeof(TKey).Name}, {typeof(TValue).Name}>()");
        TypedMapChecks.CheckSizes<TKey, TValue>(map);
        Raw = map;
    }

    /// <summary>The underlying map (raw byte access, fd, pinning).</summary>
    public Map Raw { get; }
    public string Name => Raw.Name;

    /// <summary>Reads (throws <see cref="KeyNotFoundException"/> if absent) or writes (BPF_ANY) one element.</summary>
    public TValue this[TKey key]
    {
        get => Lookup(key);
        set => Update(key, value);
    }

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> when absent.</summary>
    public TValue Lookup(TKey key)
        => TryLookup(key, out var value) ? value : throw new KeyNotFoundException($"map '{Name}' has no element with key {key}");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryLookup(TKey key, out TValue value)
    {
        value = default;
        return Raw.TryLookup(TypedMapChecks.Bytes(ref key), TypedMapChecks.Bytes(ref value));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
        => Raw.Update(TypedMapChecks.Bytes(ref key), TypedMapChecks.Bytes(ref value), flags);

    /// <summary>Deletes <paramref name="key"/>; false when it was absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Delete(TKey key) => Raw.Delete(TypedMapChecks.Bytes(ref key));

    /// <summary>Every key, by a BPF_MAP_GET_NEXT_KEY walk.</summary>
    public IEnumerable<TKey> Keys => TypedMapChecks.Keys<TKey>(Raw);

    /// <summary>Copies the next elements of a walk into <paramref name="keys"/> and <paramref name="values"/>
    /// (BPF_MAP_LOOKUP_BATCH, single lookups on kernels or map types without it); returns how many.</summary>
    public int LookupBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        => Raw.LookupBatch(cursor, MemoryMarshal.AsBytes(keys), MemoryMarshal.AsBytes(values[..Math.Min(values.Length, keys.Length)]));

    /// <summary>Like <see cref="LookupBatch"/>, and deletes what it returns (BPF_MAP_LOOKUP_AND_DELETE_BATCH).</summary>
    public int LookupAndDeleteBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        => Raw.LookupAndDeleteBatch(cursor, MemoryMarshal.AsBytes(keys), MemoryMarshal.AsBytes(values[..Math.Min(values.Length, keys.Length)]));

    /// <summary>Writes <c>keys[i] = values[i]</c> for every i (BPF_MAP_UPDATE_BATCH); returns how many.</summary>
    public int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"batch update of map '{Name}': {keys.Length} keys but {values.Length} values", nameof(values));
        return Raw.UpdateBatch(MemoryMarshal.AsBytes(keys), MemoryMarshal.AsBytes(values), flags);
    }

    /// <summary>Deletes <paramref name="keys"/> (BPF_MAP_DELETE_BATCH); absent keys are skipped. Returns how many were deleted.</summary>
    public int DeleteBatch(ReadOnlySpan<TKey> keys) => Raw.DeleteBatch(MemoryMarshal.AsBytes(keys));

    /// <summary>Every element, read in batches of <paramref name="batchSize"/> (one syscall per batch where the kernel can).</summary>
    public List<KeyValuePair<TKey, TValue>> ReadAll(int batchSize = 256)
    {
        var result = new List<KeyValuePair<TKey, TValue>>();
        var keys = new TKey[batchSize];
        var values = new TValue[batchSize];
        var cursor = new MapBatchCursor();
        while (!cursor.Done)
        {
            int n = LookupBatch(cursor, keys, values);
            for (int i = 0; i < n; i++) result.Add(new KeyValuePair<TKey, TValue>(keys[i], values[i]));
            if (n == 0 && !cursor.Done) break;
        }
        return result;
    }

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        foreach (var key in Keys)
            if (TryLookup(key, out var value))
                yield return new KeyValuePair<TKey, TValue>(key, value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A typed view of a per-CPU map (BPF_MAP_TYPE_PERCPU_HASH, _PERCPU_ARRAY, _LRU_PERCPU_HASH): each value is
/// an array of <see cref="PossibleCpus.Count"/> elements, one per possible CPU.</summary>
public sealed class PerCpuMap<TKey, TValue> : IEnumerable<KeyValuePair<TKey, TValue[]>>
    where TKey : unmanaged where TValue : unmanaged
{
    readonly int _stride;

    internal PerCpuMap(Map map)
    {
        if (!map.IsPerCpu)
            throw new InvalidOperationException($"map '{map.Name}' is not per-CPU ({MapKinds.KernelName(map.Type)}): use As<{typeof(TKey).Name}, {typeof(TValue).Name}>()");
        TypedMapChecks.CheckSizes<TKey, TValue>(map);
        Raw = map;
        _stride = (int)Map.RoundUp8(map.ValueSize);
    }

    public Map Raw { get; }
    public string Name => Raw.Name;
    /// <summary>Number of values per key (possible CPUs).</summary>
    public int CpuCount => PossibleCpus.Count;

    /// <summary>The per-CPU values of <paramref name="key"/>, indexed by CPU; <see cref="KeyNotFoundException"/> when absent.</summary>
    public TValue[] Lookup(TKey key)
        => TryLookup(key, out var values) ? values : throw new KeyNotFoundException($"map '{Name}' has no element with key {key}");

    public bool TryLookup(TKey key, out TValue[] values)
    {
        var buffer = new byte[Raw.ValueBufferSize];
        if (!Raw.TryLookup(TypedMapChecks.Bytes(ref key), buffer))
        {
            values = [];
            return false;
        }
        values = new TValue[CpuCount];
        for (int cpu = 0; cpu < values.Length; cpu++)
            values[cpu] = MemoryMarshal.Read<TValue>(buffer.AsSpan(cpu * _stride));
        return true;
    }

    /// <summary>Sets the value of every CPU: <paramref name="values"/> has one element per possible CPU.</summary>
    public void Update(TKey key, ReadOnlySpan<TValue> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (values.Length != CpuCount)
            throw new ArgumentException($"per-CPU map '{Name}' needs one value per possible CPU ({CpuCount}); got {values.Length}", nameof(values));
        var buffer = new byte[Raw.ValueBufferSize];
        for (int cpu = 0; cpu < values.Length; cpu++)
        {
            var v = values[cpu];
            MemoryMarshal.Write(buffer.AsSpan(cpu * _stride), in v);
        }
        Raw.Update(TypedMapChecks.Bytes(ref key), buffer, flags);
    }

    /// <summary>Sets the same value on every CPU.</summary>
    public void UpdateAll(TKey key, TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        var values = new TValue[CpuCount];
        Array.Fill(values, value);
        Update(key, values, flags);
    }

    public bool Delete(TKey key) => Raw.Delete(TypedMapChecks.Bytes(ref key));

    public IEnumerable<TKey> Keys => TypedMapChecks.Keys<TKey>(Raw);

    /// <summary>Copies the next elements of a walk (BPF_MAP_LOOKUP_BATCH): <paramref name="values"/> holds
    /// <see cref="CpuCount"/> values per key, <c>values[i * CpuCount + cpu]</c>. Returns how many keys.</summary>
    public int LookupBatch(MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
    {
        if (values.Length < keys.Length * CpuCount)
            throw new ArgumentException($"per-CPU map '{Name}': {keys.Length} keys need {keys.Length * CpuCount} values ({CpuCount} CPUs each); got {values.Length}", nameof(values));
        var buffer = new byte[keys.Length * Raw.ValueBufferSize];
        int n = Raw.LookupBatch(cursor, MemoryMarshal.AsBytes(keys), buffer);
        for (int i = 0; i < n * CpuCount; i++)
            values[i] = MemoryMarshal.Read<TValue>(buffer.AsSpan(i * _stride));
        return n;
    }

    /// <summary>Writes every CPU's value of each key (BPF_MAP_UPDATE_BATCH): <c>values[i * CpuCount + cpu]</c>.</summary>
    public int UpdateBatch(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        if (values.Length != keys.Length * CpuCount)
            throw new ArgumentException($"per-CPU map '{Name}': {keys.Length} keys need {keys.Length * CpuCount} values ({CpuCount} CPUs each); got {values.Length}", nameof(values));
        var buffer = new byte[keys.Length * Raw.ValueBufferSize];
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            MemoryMarshal.Write(buffer.AsSpan(i * _stride), in v);
        }
        return Raw.UpdateBatch(MemoryMarshal.AsBytes(keys), buffer, flags);
    }

    /// <summary>Deletes <paramref name="keys"/> (BPF_MAP_DELETE_BATCH); returns how many were deleted.</summary>
    public int DeleteBatch(ReadOnlySpan<TKey> keys) => Raw.DeleteBatch(MemoryMarshal.AsBytes(keys));

    /// <summary>The sum over CPUs of the value of <paramref name="key"/> (a per-CPU counter's total), by <paramref name="add"/>.</summary>
    public TValue Sum(TKey key, Func<TValue, TValue, TValue> add)
    {
        var values = Lookup(key);
        var total = values[0];
        for (int cpu = 1; cpu < values.Length; cpu++) total = add(total, values[cpu]);
        return total;
    }

    public IEnumerator<KeyValuePair<TKey, TValue[]>> GetEnumerator()
    {
        foreach (var key in Keys)
            if (TryLookup(key, out var values))
                yield return new KeyValuePair<TKey, TValue[]>(key, values);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Checks and conversions shared by the typed map views.</summary>
internal static class TypedMapChecks
{
    public static unsafe void CheckSizes<TKey, TValue>(Map map) where TKey : unmanaged where TValue : unmanaged
    {
        var problems = new List<string>();
        if (sizeof(TKey) != map.KeySize)
            problems.Add($"key type {typeof(TKey).Name} is {sizeof(TKey)} bytes but the map's keys are {map.KeySize} bytes");
        if (sizeof(TValue) != map.ValueSize)
            problems.Add($"value type {typeof(TValue).Name} is {sizeof(TValue)} bytes but the map's values are {map.ValueSize} bytes");
        if (problems.Count == 0 && map.DeclaredKeyType is { } keyType && RecordLayoutCheck.Difference(typeof(TKey), keyType) is { } key)
            problems.Add($"key type {typeof(TKey).Name}: {key}");
        if (problems.Count == 0 && map.DeclaredValueType is { } valueType && RecordLayoutCheck.Difference(typeof(TValue), valueType) is { } value)
            problems.Add($"value type {typeof(TValue).Name}: {value}");
        if (problems.Count > 0)
            throw new MapMismatchException($"map '{map.Name}': {string.Join("; ", problems)}");
    }

    public static unsafe void CheckSizes<TValue>(Map map) where TValue : unmanaged
    {
        if (sizeof(TValue) != map.ValueSize)
            throw new MapMismatchException($"map '{map.Name}': value type {typeof(TValue).Name} is {sizeof(TValue)} bytes but the map's values are {map.ValueSize} bytes");
        if (map.DeclaredValueType is { } valueType && RecordLayoutCheck.Difference(typeof(TValue), valueType) is { } value)
            throw new MapMismatchException($"map '{map.Name}': value type {typeof(TValue).Name}: {value}");
    }

    public static Span<byte> Bytes<T>(ref T value) where T : unmanaged => MemoryMarshal.AsBytes(new Span<T>(ref value));

    public static IEnumerable<TKey> Keys<TKey>(Map map) where TKey : unmanaged
    {
        TKey current = default;
        bool first = true;
        while (true)
        {
            TKey next = default;
            if (!map.TryGetNextKey(first ? ReadOnlySpan<byte>.Empty : Bytes(ref current), Bytes(ref next))) yield break;
            yield return next;
            current = next;
            first = false;
        }
    }
}
