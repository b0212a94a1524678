using System.Collections;

namespace Ebpf;

/// <summary>A FIFO queue of values (BPF_MAP_TYPE_QUEUE): <see cref="PushPopMap{T}.Push"/> at the tail,
/// <see cref="PushPopMap{T}.Pop"/> from the head.</summary>
/// <remarks>Kernel 4.20. No keys. A push to a full queue fails with -E2BIG, or with <see cref="MapUpdate.Exist"/>
/// overwrites the oldest value. Pop and peek of an empty queue give -ENOENT and a zeroed value.</remarks>
[BpfMap(MapType.Queue, KeySize = 0)]
public sealed class QueueMap<T> : PushPopMap<T> where T : unmanaged
{
    /// <summary>Defines the queue: <paramref name="maxEntries"/> is its capacity.</summary>
    public QueueMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Queue, maxEntries, flags, pinning) { }

    /// <summary>A queue pushes at the tail: the newest value pops last.</summary>
    private protected override bool PushesOnTop => false;
}

/// <summary>A LIFO stack of values (BPF_MAP_TYPE_STACK): <see cref="PushPopMap{T}.Push"/> and
/// <see cref="PushPopMap{T}.Pop"/> at the top.</summary>
/// <remarks>Kernel 4.20. No keys. A push to a full stack fails with -E2BIG, or with <see cref="MapUpdate.Exist"/>
/// overwrites the oldest (bottom) value. Pop and peek of an empty stack give -ENOENT and a zeroed value.</remarks>
[BpfMap(MapType.Stack, KeySize = 0)]
public sealed class StackMap<T> : PushPopMap<T> where T : unmanaged
{
    /// <summary>Defines the stack: <paramref name="maxEntries"/> is its capacity.</summary>
    public StackMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Stack, maxEntries, flags, pinning) { }

    /// <summary>A stack pushes on top: the newest value pops first.</summary>
    private protected override bool PushesOnTop => true;
}

/// <summary>The shared behaviour of the kernel's queue and stack maps (kernel/bpf/queue_stack_maps.c): values
/// without keys, pushed, popped and peeked; they differ only in which end a push goes to.</summary>
public abstract class PushPopMap<T> : BpfMap, IEnumerable<T> where T : unmanaged
{
    readonly LinkedList<T> _items = new();   // next to pop first
    readonly Lock _gate = new();

    private protected PushPopMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning)
        : base(type, maxEntries, flags, pinning) { }

    /// <summary>True for a stack (push and pop at the same end), false for a queue.</summary>
    private protected abstract bool PushesOnTop { get; }

    /// <summary>Pushes <paramref name="value"/>; returns 0, -E2BIG when full (unless <see cref="MapUpdate.Exist"/>
    /// makes it replace the oldest value), -EINVAL for flags other than Any and Exist.</summary>
    /// <remarks><c>bpf_map_push_elem(map, &amp;value, flags)</c>.</remarks>
    [MapHelper(87)]
    public long Push(in T value, MapUpdate flags = MapUpdate.Any)
    {
        if (flags is not (MapUpdate.Any or MapUpdate.Exist)) return -Errno.EINVAL;
        lock (_gate)
        {
            if (_items.Count >= MaxEntries)
            {
                if (flags != MapUpdate.Exist) return -Errno.E2BIG;
                // The oldest value: the head of a queue, the bottom of a stack.
                if (PushesOnTop) _items.RemoveLast(); else _items.RemoveFirst();
            }
            if (PushesOnTop) _items.AddFirst(value); else _items.AddLast(value);
            return 0;
        }
    }

    /// <summary>Removes the next value (oldest of a queue, top of a stack) into <paramref name="value"/>; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_pop_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(88)]
    public long Pop(out T value)
    {
        lock (_gate)
        {
            if (_items.First is not { } next) { value = default; return -Errno.ENOENT; }
            value = next.Value;
            _items.RemoveFirst();
            return 0;
        }
    }

    /// <summary>Copies the next value without removing it; returns 0 or -ENOENT when empty.</summary>
    /// <remarks><c>bpf_map_peek_elem(map, &amp;value)</c>.</remarks>
    [MapHelper(89)]
    public long Peek(out T value)
    {
        lock (_gate)
        {
            value = _items.First is { } next ? next.Value : default;
            return _items.Count == 0 ? -Errno.ENOENT : 0;
        }
    }

    /// <summary>The number of values held.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _items.Count; } }

    /// <summary>Empties the map.</summary>
    [ManagedOnly] public void Clear() { lock (_gate) _items.Clear(); }

    /// <summary>A snapshot of the values in pop order.</summary>
    [ManagedOnly]
    public IEnumerator<T> GetEnumerator() { lock (_gate) return _items.ToList().GetEnumerator(); }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
