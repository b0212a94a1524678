using System.Runtime.InteropServices;

namespace Ebpf.Testing.Maps;

/// <summary>A typed view of an interpreter map: keys and values as unmanaged structs of the map's key and value sizes.</summary>
public sealed class TypedMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    internal unsafe TypedMap(InterpreterMap map)
    {
        if (map.KeySize != sizeof(TKey) && map.KeySize != 0)
            throw new ArgumentException($"map '{map.Name}' has {map.KeySize}-byte keys, but {typeof(TKey).Name} is {sizeof(TKey)} bytes");
        if (map.ValueSize != sizeof(TValue))
            throw new ArgumentException($"map '{map.Name}' has {map.ValueSize}-byte values, but {typeof(TValue).Name} is {sizeof(TValue)} bytes");
        Map = map;
    }

    public InterpreterMap Map { get; }

    /// <summary>The value under <paramref name="key"/>; <see cref="KeyNotFoundException"/> when absent.</summary>
    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"map '{Map.Name}' has no key {key}");
        set => Map.Update(Bytes(ref key), Bytes(ref value));
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        var bytes = Map.Lookup(Bytes(ref key));
        value = bytes is null ? default : MemoryMarshal.Read<TValue>(bytes);
        return bytes is not null;
    }

    public bool ContainsKey(TKey key) => Map.Lookup(Bytes(ref key)) is not null;

    public bool Remove(TKey key) => Map.Delete(Bytes(ref key));

    /// <summary>Every entry (for array maps, every index).</summary>
    public IReadOnlyList<KeyValuePair<TKey, TValue>> Entries
        => Map.Entries.Select(e => new KeyValuePair<TKey, TValue>(MemoryMarshal.Read<TKey>(e.Key), MemoryMarshal.Read<TValue>(e.Value))).ToList();

    static Span<byte> Bytes<T>(ref T value) where T : unmanaged => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1));
}
