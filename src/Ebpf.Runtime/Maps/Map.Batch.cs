using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Where a batched walk of a map stands: the kernel's opaque position token between calls, or, when the
/// runtime falls back to single-element commands, the last key returned.</summary>
/// <remarks>Start a walk with a new cursor; <see cref="Done"/> turns true once the walk has returned the map's last element.</remarks>
public sealed class MapBatchCursor
{
    internal byte[]? Token;
    internal byte[]? LastKey;
    /// <summary>The kernel has written <see cref="Token"/> (the first call passes no in_batch).</summary>
    internal bool Started;

    /// <summary>The walk has passed the last element; further lookups return 0.</summary>
    public bool Done { get; internal set; }
}

public sealed unsafe partial class Map
{
    /// <summary>Forces the single-element fallback of the batch methods (tests of kernels before 5.6 or map types without batch support).</summary>
    internal bool BatchCommandsDisabled { get; set; }

    /// <summary>Whether the last batch method of this map used the BPF_MAP_*_BATCH commands (false: it fell back to one
    /// syscall per element because the kernel or this map type has no batch support).</summary>
    public bool LastBatchUsedBatchCommands { get; private set; }

    /// <summary>Copies up to <c>keys.Length / KeySize</c> elements into <paramref name="keys"/> and <paramref name="values"/>
    /// (BPF_MAP_LOOKUP_BATCH; <see cref="ValueBufferSize"/> bytes per value) and advances <paramref name="cursor"/>;
    /// returns how many it copied. Without kernel batch support it walks with GET_NEXT_KEY and LOOKUP_ELEM.</summary>
    /// <remarks>Kernel 5.6+ for hash maps, 5.7+ (per-CPU, array...). A hash bucket with more elements than the buffers
    /// hold fails with ENOSPC: pass larger buffers. The kernel name is <c>BPF_MAP_LOOKUP_BATCH</c>.</remarks>
    public int LookupBatch(MapBatchCursor cursor, Span<byte> keys, Span<byte> values)
        => ReadBatch(BpfCommand.MapLookupBatch, cursor, keys, values);

    /// <summary>Like <see cref="LookupBatch"/>, and deletes what it returns (BPF_MAP_LOOKUP_AND_DELETE_BATCH, kernel 5.6+, hash maps).</summary>
    public int LookupAndDeleteBatch(MapBatchCursor cursor, Span<byte> keys, Span<byte> values)
        => ReadBatch(BpfCommand.MapLookupAndDeleteBatch, cursor, keys, values);

    /// <summary>Writes <c>keys.Length / KeySize</c> elements (BPF_MAP_UPDATE_BATCH, kernel 5.6+); returns how many.</summary>
    public int UpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        int count = CountOf(keys, values.Length, "update");
        if (count == 0) return 0;
        if (TryBatch(BpfCommand.MapUpdateBatch, null, keys, values, count, (ulong)flags, out int done, out int errno))
        {
            if (errno != 0) throw new BpfException($"batch-update map '{Name}' (element {done} of {count})", errno, UpdateHint(errno, flags));
            return done;
        }
        for (int i = 0; i < count; i++)
            Update(keys.Slice(i * (int)KeySize, (int)KeySize), values.Slice(i * ValueBufferSize, ValueBufferSize), flags);
        return count;
    }

    /// <summary>Deletes the keys in <paramref name="keys"/> (BPF_MAP_DELETE_BATCH, kernel 5.6+); keys not in the map are
    /// skipped. Returns how many elements were deleted.</summary>
    public int DeleteBatch(ReadOnlySpan<byte> keys)
    {
        int count = CountOf(keys, -1, "delete");
        int deleted = 0;
        while (count > 0)
        {
            if (!TryBatch(BpfCommand.MapDeleteBatch, null, keys, default, count, 0, out int done, out int errno))
            {
                for (int i = 0; i < count; i++)
                    if (Delete(keys.Slice(i * (int)KeySize, (int)KeySize))) deleted++;
                return deleted;
            }
            deleted += done;
            if (errno == 0) return deleted;
            if (errno != Errno.ENOENT) throw new BpfException($"batch-delete from map '{Name}'", errno);
            // The kernel stops at the first absent key: skip it and go on with the rest.
            keys = keys[((done + 1) * (int)KeySize)..];
            count -= done + 1;
        }
        return deleted;
    }

    int ReadBatch(BpfCommand command, MapBatchCursor cursor, Span<byte> keys, Span<byte> values)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        int count = CountOf(keys, values.Length, "lookup");
        if (count == 0 || cursor.Done) return 0;
        cursor.Token ??= new byte[Math.Max((int)KeySize, 8)];
        if (cursor.LastKey is null)
        {
            if (TryBatch(command, cursor, keys, values, count, 0, out int done, out int errno))
            {
                if (errno == Errno.ENOENT) cursor.Done = true;
                else if (errno != 0)
                    throw new BpfException($"batch-{(command == BpfCommand.MapLookupBatch ? "look up" : "look up and delete")} map '{Name}'", errno,
                        errno == Errno.ENOSPC ? $"a hash bucket holds more elements than the {count}-element buffers: pass larger buffers" : null);
                return done;
            }
        }
        return ReadSingly(command == BpfCommand.MapLookupAndDeleteBatch, cursor, keys, values, count);
    }

    int ReadSingly(bool delete, MapBatchCursor cursor, Span<byte> keys, Span<byte> values, int count)
    {
        int keySize = (int)KeySize;
        int n = 0;
        Span<byte> previous = cursor.LastKey is { Length: > 0 } last ? last : Span<byte>.Empty;
        while (n < count)
        {
            var key = keys.Slice(n * keySize, keySize);
            // A deleting walk always takes the first key: the previous one is gone.
            if (!TryGetNextKey(delete || cursor.LastKey is null ? ReadOnlySpan<byte>.Empty : previous, key))
            {
                cursor.Done = true;
                break;
            }
            var value = values.Slice(n * ValueBufferSize, ValueBufferSize);
            bool found = delete ? TryLookupAndDelete(key, value) || (TryLookup(key, value) && Delete(key)) : TryLookup(key, value);
            cursor.LastKey = key.ToArray();
            previous = cursor.LastKey;
            if (found) n++;
        }
        LastBatchUsedBatchCommands = false;
        return n;
    }

    /// <summary>Runs a batch command; false when neither the kernel nor this map type supports it (fall back).
    /// Otherwise <paramref name="done"/> is the kernel's count and <paramref name="errno"/> its error (0 on success).</summary>
    bool TryBatch(BpfCommand command, MapBatchCursor? cursor, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, int count, ulong elemFlags,
        out int done, out int errno)
    {
        done = 0;
        errno = 0;
        if (BatchCommandsDisabled || !KernelFeatures.MapBatchCommands)
        {
            LastBatchUsedBatchCommands = false;
            return false;
        }
        fixed (byte* k = keys)
        fixed (byte* v = values)
        fixed (byte* token = cursor?.Token)
        {
            using var fd = Handle.Lease();
            var attr = new MapBatchAttr
            {
                InBatch = cursor is { Started: true } ? (ulong)token : 0,
                OutBatch = (ulong)token,
                Keys = (ulong)k,
                Values = (ulong)v,
                Count = (uint)count,
                MapFd = (uint)fd.Fd,
                ElemFlags = elemFlags,
            };
            int rc = BpfSyscall.Invoke(command, ref attr, out errno);
            if (rc < 0 && errno is Errno.ENOTSUPP or Errno.EOPNOTSUPP)
            {
                LastBatchUsedBatchCommands = false;
                return false;                                   // this map type has no batch operations
            }
            if (rc >= 0) errno = 0;
            done = (int)attr.Count;
            if (cursor is not null) cursor.Started = true;
        }
        LastBatchUsedBatchCommands = true;
        return true;
    }

    int CountOf(ReadOnlySpan<byte> keys, int valuesLength, string operation)
    {
        if (KeySize == 0) throw new InvalidOperationException($"map '{Name}' ({MapKinds.KernelName(Type)}) has no keys: batch {operation} needs a keyed map");
        if (keys.Length % KeySize != 0)
            throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys; the key buffer's {keys.Length} bytes are not a whole number of keys", nameof(keys));
        int count = keys.Length / (int)KeySize;
        if (valuesLength >= 0 && valuesLength < count * ValueBufferSize)
            throw new ArgumentException($"map '{Name}' batch {operation} of {count} keys needs {count * ValueBufferSize} bytes of values ({ValueBufferSize} each{PerCpuNote()}); got {valuesLength}", "values");
        return count;
    }
}
