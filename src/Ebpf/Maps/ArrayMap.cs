using System.Collections;
using System.Runtime.CompilerServices;

namespace Ebpf;

// CONTRACT (signatures): language.md §3; lowered to map helpers (lookup=1, update=2, delete=3).

/// <summary>An array map (BPF_MAP_TYPE_ARRAY): <c>maxEntries</c> zero-initialized values indexed by <c>uint</c>.</summary>
/// <remarks>Kernel 3.19. Every element always exists: <see cref="Lookup"/> fails only for an index out of
/// range, an update with <see cref="MapUpdate.NoExist"/> gives -EEXIST, and <see cref="Delete"/> gives -EINVAL.
/// An update copies into the element in place, so references obtained before see the new value.</remarks>
[BpfMap(MapType.Array, KeySize = 4)]
public class ArrayMap<TValue> : BpfMap, IEnumerable<KeyValuePair<uint, TValue>> where TValue : unmanaged
{
    readonly TValue[] _values;

    /// <summary>Defines the map: <paramref name="maxEntries"/> elements, all zero.</summary>
    public ArrayMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Array, maxEntries, flags, pinning) => _values = new TValue[maxEntries];

    /// <summary>A reference to element <paramref name="index"/>, or a null reference when out of range.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;index)</c>. Check with <c>Unsafe.IsNullRef</c> even for a
    /// constant index: kernels before 6.x reject the unchecked access.</remarks>
    [MapHelper(1)]
    public ref TValue Lookup(in uint index)
    {
        if (index >= _values.Length) return ref Unsafe.NullRef<TValue>();
        return ref _values[index];
    }

    /// <summary>Copies element <paramref name="index"/>; false (and <c>default</c>) when out of range.</summary>
    /// <remarks><c>bpf_map_lookup_elem</c>, then a copy when not NULL.</remarks>
    [MapHelper(1)]
    public bool TryGetValue(in uint index, out TValue value)
    {
        bool inRange = index < _values.Length;
        value = inRange ? _values[index] : default;
        return inRange;
    }

    /// <summary>Overwrites element <paramref name="index"/>; returns 0, -E2BIG for an index out of range,
    /// -EEXIST for <see cref="MapUpdate.NoExist"/> (elements always exist), -EINVAL for bad flags.</summary>
    /// <remarks><c>bpf_map_update_elem(map, &amp;index, &amp;value, flags)</c>.</remarks>
    [MapHelper(2)]
    public long Update(in uint index, in TValue value, MapUpdate flags = MapUpdate.Any)
    {
        long check = ArrayUpdates.Check(index, (uint)_values.Length, flags);
        if (check != 0) return check;
        _values[index] = value;
        return 0;
    }

    /// <summary>Array elements cannot be deleted: always -EINVAL, as in the kernel.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;index)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in uint index) => -Errno.EINVAL;

    /// <summary>Element <paramref name="index"/>, for tests and user space to read or seed.</summary>
    [ManagedOnly]
    public TValue this[uint index]
    {
        get => index < _values.Length ? _values[index] : throw OutOfRange(index);
        set { if (index >= _values.Length) throw OutOfRange(index); _values[index] = value; }
    }

    /// <summary>The number of elements (<c>max_entries</c>).</summary>
    [ManagedOnly] public int Count => _values.Length;

    /// <summary>Zeroes every element.</summary>
    [ManagedOnly] public void Clear() => Array.Clear(_values);

    /// <summary>Every element with its index, in index order.</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<uint, TValue>> GetEnumerator()
    {
        for (uint i = 0; i < _values.Length; i++) yield return new(i, _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    ArgumentOutOfRangeException OutOfRange(uint index) =>
        new(nameof(index), $"Index {index} is outside the array of {_values.Length} elements.");
}

/// <summary>The kernel's checks of an array update (array_map_update_elem), in its order.</summary>
internal static class ArrayUpdates
{
    public static long Check(uint index, uint length, MapUpdate flags)
    {
        ulong raw = (ulong)flags;
        if ((raw & ~(ulong)MapUpdate.Lock) > (ulong)MapUpdate.Exist) return -Errno.EINVAL;
        if (index >= length) return -Errno.E2BIG;
        if ((raw & (ulong)MapUpdate.NoExist) != 0) return -Errno.EEXIST;
        if ((raw & (ulong)MapUpdate.Lock) != 0) return -Errno.EINVAL;   // no bpf_spin_lock in managed values
        return 0;
    }
}
