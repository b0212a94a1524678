namespace Ebpf;

/// <summary>The body of <see cref="Bpf.Loop{TState}(uint, LoopCallback{TState}, ref TState, ulong)"/>: return 0 to
/// continue, 1 to stop.</summary>
public delegate long LoopCallback<TState>(uint index, ref TState state) where TState : unmanaged;

/// <summary>The body of <see cref="Bpf.ForEachMapElem{TKey, TValue, TState}(HashMap{TKey, TValue}, MapElementCallback{TKey, TValue, TState}, ref TState, ulong)"/>:
/// return 0 to continue, 1 to stop.</summary>
public delegate long MapElementCallback<TKey, TValue, TState>(in TKey key, ref TValue value, ref TState state)
    where TKey : unmanaged where TValue : unmanaged where TState : unmanaged;

// Bounded loops and map iteration with callbacks.
public static partial class Bpf
{
    /// <summary>BPF_MAX_LOOPS: the most iterations <c>bpf_loop</c> runs.</summary>
    public const uint MaxLoops = 1 << 23;

    /// <summary>Calls <paramref name="body"/> with 0, 1, ... up to <paramref name="count"/> - 1, until it returns
    /// non-zero; returns the number of calls made, or a negative errno.</summary>
    /// <remarks><c>bpf_loop(count, callback, NULL, flags)</c>, kernel 5.17: a loop the verifier checks once,
    /// whatever <paramref name="count"/> is. <paramref name="body"/> is a lambda or a static method (compiled as a
    /// BPF subprogram); a lambda should not capture locals, pass them in state with
    /// <see cref="Loop{TState}(uint, LoopCallback{TState}, ref TState, ulong)"/>. <paramref name="count"/> above
    /// 2^23 gives -E2BIG; <paramref name="flags"/> must be 0.</remarks>
    [BpfHelper(181)]
    public static long Loop(uint count, Func<uint, long> body, ulong flags = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (flags != 0) return -Errno.EINVAL;
        if (count > MaxLoops) return -Errno.E2BIG;
        for (uint i = 0; i < count; i++)
            if (body(i) != 0) return i + 1;
        return count;
    }

    /// <summary>Calls <paramref name="body"/> with 0, 1, ... up to <paramref name="count"/> - 1 and a reference to
    /// <paramref name="state"/>, until it returns non-zero; returns the number of calls made, or a negative errno.</summary>
    /// <remarks><c>bpf_loop(count, callback, &amp;state, flags)</c>, kernel 5.17.</remarks>
    [BpfHelper(181)]
    public static long Loop<TState>(uint count, LoopCallback<TState> body, ref TState state, ulong flags = 0) where TState : unmanaged
    {
        ArgumentNullException.ThrowIfNull(body);
        if (flags != 0) return -Errno.EINVAL;
        if (count > MaxLoops) return -Errno.E2BIG;
        for (uint i = 0; i < count; i++)
            if (body(i, ref state) != 0) return i + 1;
        return count;
    }

    /// <summary>Calls <paramref name="body"/> for each element of a hash map (in no particular order) until it
    /// returns non-zero; returns the number of elements visited, or a negative errno.</summary>
    /// <remarks><c>bpf_for_each_map_elem(map, callback, &amp;state, flags)</c>, kernel 5.13. The callback may change
    /// the value through its reference.</remarks>
    [BpfHelper(164)]
    public static long ForEachMapElem<TKey, TValue, TState>(HashMap<TKey, TValue> map, MapElementCallback<TKey, TValue, TState> body, ref TState state, ulong flags = 0)
        where TKey : unmanaged where TValue : unmanaged where TState : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(body);
        if (flags != 0) return -Errno.EINVAL;
        long visited = 0;
        foreach (var (key, _) in map)
        {
            ref TValue value = ref map.Lookup(key);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref value)) continue;   // deleted meanwhile
            visited++;
            if (body(key, ref value, ref state) != 0) break;
        }
        return visited;
    }

    /// <summary>Calls <paramref name="body"/> for each element of an array map, in index order, until it returns
    /// non-zero; returns the number of elements visited, or a negative errno.</summary>
    /// <remarks><c>bpf_for_each_map_elem(map, callback, &amp;state, flags)</c>, kernel 5.13.</remarks>
    [BpfHelper(164)]
    public static long ForEachMapElem<TValue, TState>(ArrayMap<TValue> map, MapElementCallback<uint, TValue, TState> body, ref TState state, ulong flags = 0)
        where TValue : unmanaged where TState : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(body);
        if (flags != 0) return -Errno.EINVAL;
        long visited = 0;
        for (uint i = 0; i < map.MaxEntries; i++)
        {
            visited++;
            if (body(i, ref map.Lookup(i), ref state) != 0) break;
        }
        return visited;
    }
}
