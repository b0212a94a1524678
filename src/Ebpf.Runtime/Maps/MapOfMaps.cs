using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>A view of a map of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS, _HASH_OF_MAPS; kernel 4.12+): elements are written as
/// map fds and read back as map ids.</summary>
public sealed class MapOfMaps<TKey> where TKey : unmanaged
{
    internal MapOfMaps(Map map)
    {
        if (map.Type is not (MapType.ArrayOfMaps or MapType.HashOfMaps))
            throw new InvalidOperationException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not array_of_maps or hash_of_maps");
        TypedMapChecks.CheckSizes<TKey, uint>(map);
        Raw = map;
    }

    public Map Raw { get; }
    public string Name => Raw.Name;

    /// <summary>Stores <paramref name="inner"/> under <paramref name="key"/>; the kernel refuses (EINVAL) a map unlike the template.</summary>
    public void Set(TKey key, Map inner, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        using var fd = inner.Handle.Lease();
        int value = fd.Fd;
        try
        {
            Raw.Update(TypedMapChecks.Bytes(ref key), TypedMapChecks.Bytes(ref value), flags);
        }
        catch (BpfException e) when (e.Errno == Syscalls.Errno.EINVAL)
        {
            throw new BpfException($"store {inner} in map of maps '{Name}'", e.Errno,
                "the inner map must match the outer map's template (type, key and value size, flags, and max_entries unless BPF_F_INNER_MAP)");
        }
    }

    /// <summary>The kernel id of the map under <paramref name="key"/>, or null.</summary>
    public uint? GetId(TKey key)
    {
        uint id = 0;
        return Raw.TryLookup(TypedMapChecks.Bytes(ref key), TypedMapChecks.Bytes(ref id)) ? id : null;
    }

    /// <summary>Opens the map under <paramref name="key"/> (BPF_MAP_GET_FD_BY_ID), or null; the caller disposes it.</summary>
    public Map? Open(TKey key) => GetId(key) is uint id ? Map.OpenById(id) : null;

    public bool Delete(TKey key) => Raw.Delete(TypedMapChecks.Bytes(ref key));
}

/// <summary>A view of a queue (FIFO) or stack (LIFO) map (BPF_MAP_TYPE_QUEUE, _STACK; kernel 4.20+): no keys; push with
/// UPDATE_ELEM, peek with LOOKUP_ELEM, pop with LOOKUP_AND_DELETE_ELEM.</summary>
public sealed class QueueMap<T> where T : unmanaged
{
    internal QueueMap(Map map)
    {
        if (map.Type is not (MapType.Queue or MapType.Stack))
            throw new InvalidOperationException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not queue or stack");
        TypedMapChecks.CheckSizes<T>(map);
        Raw = map;
    }

    public Map Raw { get; }

    /// <summary>Adds <paramref name="value"/>; with <paramref name="overwriteOldest"/> (BPF_EXIST) a full map drops its oldest element instead of failing.</summary>
    public void Push(T value, bool overwriteOldest = false)
        => Raw.Update(ReadOnlySpan<byte>.Empty, TypedMapChecks.Bytes(ref value), overwriteOldest ? MapUpdateFlags.Exist : MapUpdateFlags.Any);

    /// <summary>Removes and returns the next element; false when empty.</summary>
    public bool TryPop(out T value)
    {
        value = default;
        return Raw.TryLookupAndDelete(ReadOnlySpan<byte>.Empty, TypedMapChecks.Bytes(ref value));
    }

    /// <summary>Returns the next element without removing it; false when empty.</summary>
    public bool TryPeek(out T value)
    {
        value = default;
        return Raw.TryLookup(ReadOnlySpan<byte>.Empty, TypedMapChecks.Bytes(ref value));
    }
}

/// <summary>A view of a stack trace map (BPF_MAP_TYPE_STACK_TRACE; <c>bpf_get_stackid</c>): a stack id maps to up to
/// value_size / 8 instruction pointers, innermost first, zero-padded.</summary>
public sealed class StackTraceMap
{
    internal StackTraceMap(Map map)
    {
        if (map.Type != MapType.StackTrace)
            throw new InvalidOperationException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not stack_trace");
        Raw = map;
    }

    public Map Raw { get; }

    /// <summary>The addresses of stack <paramref name="stackId"/> (trailing zero slots removed), or null when absent.</summary>
    public ulong[]? Lookup(uint stackId)
    {
        var buffer = new ulong[Raw.ValueSize / 8];
        if (!Raw.TryLookup(TypedMapChecks.Bytes(ref stackId), System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()))) return null;
        int depth = buffer.Length;
        while (depth > 0 && buffer[depth - 1] == 0) depth--;
        return buffer[..depth];
    }
}
