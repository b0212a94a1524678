using System.Collections;

namespace Ebpf;

/// <summary>A FIFO queue of values (BPF_MAP_TYPE_QUEUE): <see cref="Push"/> at the tail, <see cref="Pop"/> from the head.</summary>
/// <remarks>Kernel 4.20. No keys. A push to a full queue fails with -E2BIG, or with <see cref="MapUpdate.Exist"/>
/// overwrites the oldest value. Pop and peek of an empty queue give -ENOENT and a zeroed value.</remarks>
[BpfMap(MapType.Queue, KeySize = 0)]
public sealed class QueueMap<T> : BpfMap, IEnumerable<T> where T : unmanaged
{
    readonly LinkedList<T> _items = new();   // head (next to pop) first
    readonly Lock _gate = new();

    /// <summary>Defines the queue: <paramref name="maxEntries"/> is its capacity.</summary>
    public QueueMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Queue, maxEntries, flags, pinning) { }

    /// <summary>Appends <paramref name="value"/>; returns 0, -E2BIG when full (unless <see cref="MapUpdate.Exist"/>
    /// makes it replace the oldest value), -EINVAL for other flags.</summary>
    /// <remarks><c>bpf_map_push_elem(map, &amp;value, flags)</c>.</remarks>
    [MapHelper(87)]
    public long Push(in T value, MapUpdate flags = MapUpdate.Any)
    {
        long check = QueueStack.CheckPushFlags(flags);
        if (check != 0) return check;
        lock (_gate)
        {
            if (_items.Count >= MaxEntries)
            {
                if (flags != MapUpdate.Exist) return -Errno.E2BIG;
                _items.RemoveFirst();
            }
            _items.AddLast(value);
            return 0;
        }
    }

    /// <summary>Removes the oldest value into <paramref name="value"/>; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_pop_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(88)]
    public long Pop(out T value)
    {
        lock (_gate)
        {
            if (_items.First is not { } head) { value = default; return -Errno.ENOENT; }
            value = head.Value;
            _items.RemoveFirst();
            return 0;
        }
    }

    /// <summary>Copies the oldest value without removing it; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_peek_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(89)]
    public long Peek(out T value)
    {
        lock (_gate)
        {
            value = _items.First is { } head ? head.Value : default;
            return _items.Count == 0 ? -Errno.ENOENT : 0;
        }
    }

    /// <summary>The number of values queued.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _items.Count; } }

    /// <summary>Empties the queue.</summary>
    [ManagedOnly] public void Clear() { lock (_gate) _items.Clear(); }

    /// <summary>A snapshot of the values in pop order.</summary>
    [ManagedOnly]
    public IEnumerator<T> GetEnumerator() { lock (_gate) return _items.ToList().GetEnumerator(); }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A LIFO stack of values (BPF_MAP_TYPE_STACK): <see cref="Push"/> and <see cref="Pop"/> at the top.</summary>
/// <remarks>Kernel 4.20. No keys. A push to a full stack fails with -E2BIG, or with <see cref="MapUpdate.Exist"/>
/// overwrites the oldest (bottom) value. Pop and peek of an empty stack give -ENOENT and a zeroed value.</remarks>
[BpfMap(MapType.Stack, KeySize = 0)]
public sealed class StackMap<T> : BpfMap, IEnumerable<T> where T : unmanaged
{
    readonly LinkedList<T> _items = new();   // top (next to pop) first
    readonly Lock _gate = new();

    /// <summary>Defines the stack: <paramref name="maxEntries"/> is its capacity.</summary>
    public StackMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Stack, maxEntries, flags, pinning) { }

    /// <summary>Pushes <paramref name="value"/> on top; returns 0, -E2BIG when full (unless <see cref="MapUpdate.Exist"/>
    /// makes it replace the oldest value), -EINVAL for other flags.</summary>
    /// <remarks><c>bpf_map_push_elem(map, &amp;value, flags)</c>.</remarks>
    [MapHelper(87)]
    public long Push(in T value, MapUpdate flags = MapUpdate.Any)
    {
        long check = QueueStack.CheckPushFlags(flags);
        if (check != 0) return check;
        lock (_gate)
        {
            if (_items.Count >= MaxEntries)
            {
                if (flags != MapUpdate.Exist) return -Errno.E2BIG;
                _items.RemoveLast();
            }
            _items.AddFirst(value);
            return 0;
        }
    }

    /// <summary>Removes the top value into <paramref name="value"/>; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_pop_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(88)]
    public long Pop(out T value)
    {
        lock (_gate)
        {
            if (_items.First is not { } top) { value = default; return -Errno.ENOENT; }
            value = top.Value;
            _items.RemoveFirst();
            return 0;
        }
    }

    /// <summary>Copies the top value without removing it; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_peek_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(89)]
    public long Peek(out T value)
    {
        lock (_gate)
        {
            value = _items.First is { } top ? top.Value : default;
            return _items.Count == 0 ? -Errno.ENOENT : 0;
        }
    }

    /// <summary>The number of values on the stack.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _items.Count; } }

    /// <summary>Empties the stack.</summary>
    [ManagedOnly] public void Clear() { lock (_gate) _items.Clear(); }

    /// <summary>A snapshot of the values in pop order (top first).</summary>
    [ManagedOnly]
    public IEnumerator<T> GetEnumerator() { lock (_gate) return _items.ToList().GetEnumerator(); }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The kernel's flag check of a push (queue_stack_map_push_elem): BPF_ANY or BPF_EXIST only.</summary>
internal static class QueueStack
{
    public static long CheckPushFlags(MapUpdate flags) =>
        flags is MapUpdate.Any or MapUpdate.Exist ? 0 : -Errno.EINVAL;
}
