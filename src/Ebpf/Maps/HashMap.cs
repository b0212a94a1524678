namespace Ebpf;

// CONTRACT (signatures): language.md §3. The kernel-API helper implements the managed behaviour;
// the compiler lowers these calls to map helpers (lookup=1, update=2, delete=3).

/// <summary>A hash map (BPF_MAP_TYPE_HASH).</summary>
public class HashMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public HashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None) => throw new NotImplementedException();
    /// <summary>A reference to the value stored under <paramref name="key"/>, or a null reference (check with <c>Unsafe.IsNullRef</c>).</summary>
    public ref TValue Lookup(in TKey key) => throw new NotImplementedException();
    public bool TryGetValue(in TKey key, out TValue value) => throw new NotImplementedException();
    /// <summary>Inserts or replaces; returns 0 or a negative errno (-EEXIST for NoExist on an existing key, -E2BIG when full).</summary>
    public long Update(in TKey key, in TValue value, MapUpdate flags = MapUpdate.Any) => throw new NotImplementedException();
    /// <summary>Removes the key; returns 0 or -ENOENT.</summary>
    public long Delete(in TKey key) => throw new NotImplementedException();
}

/// <summary>An array map (BPF_MAP_TYPE_ARRAY): <c>maxEntries</c> zero-initialized values indexed by <c>uint</c>.</summary>
public class ArrayMap<TValue> where TValue : unmanaged
{
    public ArrayMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None) => throw new NotImplementedException();
    public ref TValue Lookup(in uint index) => throw new NotImplementedException();
    public bool TryGetValue(in uint index, out TValue value) => throw new NotImplementedException();
    public long Update(in uint index, in TValue value, MapUpdate flags = MapUpdate.Any) => throw new NotImplementedException();
}
