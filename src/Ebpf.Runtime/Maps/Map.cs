using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A BPF map in the kernel, owned through its fd: raw byte access to its elements
/// (BPF_MAP_LOOKUP_ELEM, _UPDATE_ELEM, _DELETE_ELEM, _GET_NEXT_KEY), pinning and freezing.
/// Typed access: <see cref="As{TKey, TValue}"/> and <see cref="AsPerCpu{TKey, TValue}"/>.</summary>
/// <remarks>For per-CPU maps (<see cref="MapKinds.IsPerCpu"/>) every value buffer holds
/// <see cref="PossibleCpus.Count"/> slots of <see cref="ValueSize"/> rounded up to 8 bytes (<see cref="ValueBufferSize"/>).</remarks>
public sealed unsafe partial class Map : IDisposable
{
    internal Map(string name, MapHandle handle, MapType type, uint keySize, uint valueSize, uint maxEntries, uint flags)
    {
        Name = name;
        Handle = handle;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Flags = flags;
        IsPerCpu = MapKinds.IsPerCpu(type);
        _elementCommandsCannotBlock = ShortMapCommands.CannotBlock(type);
        ValueBufferSize = IsPerCpu ? checked((int)(RoundUp8(valueSize) * PossibleCpus.Count)) : (int)valueSize;
    }

    /// <summary>The map's name in the object (the C# field or section name), not truncated.</summary>
    public string Name { get; }
    /// <summary>The name the kernel knows (at most 15 characters of <c>[A-Za-z0-9_.]</c>).</summary>
    public string KernelName => ObjectName.Sanitize(Name);
    public MapType Type { get; }
    public uint KeySize { get; }
    public uint ValueSize { get; }
    public uint MaxEntries { get; }
    public uint Flags { get; }
    public MapHandle Handle { get; }
    public int Fd => Handle.Fd;
    public bool IsPerCpu { get; }
    /// <summary>Bytes of a value buffer for lookups and updates from user space (per-CPU: one 8-byte aligned slot per possible CPU).</summary>
    public int ValueBufferSize { get; }
    /// <summary>Where this map is pinned, if it is.</summary>
    public string? PinnedPath { get; private set; }
    public bool IsFrozen { get; private set; }
    /// <summary>This map was created and pinned by <see cref="Create(MapSpec, MapOptions?)"/> (not an existing pin reused):
    /// a failed collection load removes the pin again, as libbpf does.</summary>
    internal bool PinnedByCreate { get; private set; }

    /// <summary>The key and value types the object's BTF declares for this map (null: no BTF, or opened by pin or id):
    /// typed views check their structs against them field by field.</summary>
    internal Btf.BtfType? DeclaredKeyType { get; private set; }
    internal Btf.BtfType? DeclaredValueType { get; private set; }

    internal static uint RoundUp8(uint size) => (size + 7) & ~7u;

    // ---- element operations -------------------------------------------------------------------------

    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="value"/> (BPF_MAP_LOOKUP_ELEM);
    /// false when the key is absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        CheckValue(value.Length, "lookup");
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            int errno = ElementCommand(BpfCommand.MapLookupElem, k, v, 0);
            if (errno == 0) return true;
            if (errno == Errno.ENOENT) return false;
            throw new BpfException($"look up an element of map '{Name}'", errno);
        }
    }

    /// <summary>The value of <paramref name="key"/> (<see cref="ValueBufferSize"/> bytes), or null when absent.</summary>
    public byte[]? Lookup(ReadOnlySpan<byte> key)
    {
        var value = new byte[ValueBufferSize];
        return TryLookup(key, value) ? value : null;
    }

    /// <summary>Creates or replaces the value of <paramref name="key"/> (BPF_MAP_UPDATE_ELEM).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        CheckKey(key);
        if (value.Length != ValueBufferSize) ThrowValueSize(value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            int errno = ElementCommand(BpfCommand.MapUpdateElem, k, v, (ulong)flags);
            if (errno != 0) throw new BpfException($"update an element of map '{Name}'", errno, UpdateHint(errno, flags));
        }
    }

    /// <summary>Deletes <paramref name="key"/> (BPF_MAP_DELETE_ELEM); false when it was absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        fixed (byte* k = key)
        {
            int errno = ElementCommand(BpfCommand.MapDeleteElem, k, null, 0);
            if (errno == 0) return true;
            if (errno == Errno.ENOENT) return false;
            throw new BpfException($"delete an element of map '{Name}'", errno,
                errno == Errno.EINVAL && Type is MapType.Array or MapType.PerCpuArray ? "array map elements cannot be deleted (they always exist)" : null);
        }
    }

    /// <summary>Writes the key after <paramref name="key"/> into <paramref name="nextKey"/> (BPF_MAP_GET_NEXT_KEY);
    /// an empty <paramref name="key"/> asks for the first key. False after the last key.</summary>
    /// <remarks>If <paramref name="key"/> is no longer in a hash map, the kernel restarts from the first key.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty) CheckKey(key);
        if (nextKey.Length != KeySize)
            throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys; the next-key buffer has {nextKey.Length} bytes", nameof(nextKey));
        fixed (byte* k = key)
        fixed (byte* n = nextKey)
        {
            int errno = ElementCommand(BpfCommand.MapGetNextKey, key.IsEmpty ? null : k, n, 0);
            if (errno == 0) return true;
            if (errno == Errno.ENOENT) return false;
            throw new BpfException($"get the next key of map '{Name}'", errno);
        }
    }

    /// <summary>Every key, by a BPF_MAP_GET_NEXT_KEY walk (each key is a new array).</summary>
    public IEnumerable<byte[]> Keys
    {
        get
        {
            var current = Array.Empty<byte>();
            while (true)
            {
                var next = new byte[KeySize];
                if (!TryGetNextKey(current, next)) yield break;
                yield return next;
                current = next;
            }
        }
    }

    /// <summary>Removes and returns the head of a queue or stack map, or the value of a key for hash maps
    /// (BPF_MAP_LOOKUP_AND_DELETE_ELEM); false when empty / absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryLookupAndDelete(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (KeySize != 0) CheckKey(key);
        CheckValue(value.Length, "lookup-and-delete");
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            int errno = ElementCommand(BpfCommand.MapLookupAndDeleteElem, KeySize == 0 ? null : k, v, 0);
            if (errno == 0) return true;
            if (errno == Errno.ENOENT) return false;
            throw new BpfException($"look up and delete an element of map '{Name}'", errno);
        }
    }

    // Per call: the fd borrowed so a concurrent Dispose cannot recycle its number under the syscall (without an atomic
    // instruction for the commands that cannot block, see ShortFdUse; a SafeHandle lease otherwise), the attr on the
    // stack, no allocation; errno is read only after a failure. The element operations are compiled fully optimized at
    // once (AggressiveOptimization): tiered compilation would run them unoptimized, with the borrow, the checks and the
    // syscall stub as separate calls, for the first 100 ms or more of map traffic, which is all of a short-lived tool's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int ElementCommand(BpfCommand command, byte* key, byte* value, ulong flags)
    {
        if (KeySize == 0) key = null;
        if (!_elementCommandsCannotBlock) return LeasedElementCommand(command, key, value, flags);
        var slot = ShortFdUse.Enter(Handle, out int fd);
        var attr = new MapElemAttr { MapFd = (uint)fd, Key = (ulong)key, Value = (ulong)value, Flags = flags };
        int result = BpfSyscall.InvokeShort(command, ref attr);
        ShortFdUse.Exit(slot);
        return result;
    }

    // Out of line: the lease holds a SafeHandle reference, and a frame with one is zeroed on entry, which the short
    // path above would pay on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    int LeasedElementCommand(BpfCommand command, byte* key, byte* value, ulong flags)
    {
        using var fd = Handle.Lease();
        var attr = new MapElemAttr { MapFd = (uint)fd.Fd, Key = (ulong)key, Value = (ulong)value, Flags = flags };
        return BpfSyscall.Invoke(command, ref attr, out int errno) < 0 ? errno : 0;
    }

    readonly bool _elementCommandsCannotBlock;

    // The checks run on every element operation: the test inlines, the message is built out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) ThrowKeySize(key.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void CheckValue(int length, string operation)
    {
        if (length < ValueBufferSize) ThrowValueBufferSize(length, operation);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    void ThrowKeySize(int length)
        => throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys; got {length} bytes", "key");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    void ThrowValueBufferSize(int length, string operation)
        => throw new ArgumentException($"map '{Name}' {operation} needs a {ValueBufferSize}-byte value buffer{PerCpuNote()}; got {length} bytes", "value");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    void ThrowValueSize(int length)
        => throw new ArgumentException($"map '{Name}' takes {ValueBufferSize}-byte values{PerCpuNote()}; got {length} bytes", "value");

    string PerCpuNote() => IsPerCpu ? $" ({PossibleCpus.Count} possible CPUs x {RoundUp8(ValueSize)} bytes)" : "";

    string? UpdateHint(int errno, MapUpdateFlags flags) => errno switch
    {
        Errno.EEXIST when (flags & MapUpdateFlags.NoExist) != 0 => "the key exists and the update asked for NoExist",
        Errno.ENOENT when (flags & MapUpdateFlags.Exist) != 0 => "the key does not exist and the update asked for Exist",
        Errno.E2BIG => $"the map is full (max_entries {MaxEntries}) or the array index is out of range",
        Errno.EPERM when IsFrozen => "the map is frozen (read-only from user space)",
        _ => null,
    };

    // ---- whole-map operations -----------------------------------------------------------------------

    /// <summary>Makes the map read-only for user space (BPF_MAP_FREEZE); programs still see its contents,
    /// and for a read-only-to-programs map the verifier may then treat them as constants.</summary>
    public void Freeze()
    {
        using var fd = Handle.Lease();
        var attr = new MapFdAttr { MapFd = (uint)fd.Fd };
        BpfSyscall.InvokeOrThrow(BpfCommand.MapFreeze, ref attr, $"freeze map '{Name}'");
        IsFrozen = true;
    }

    /// <summary>Pins the map at <paramref name="path"/> on a bpffs mount (BPF_OBJ_PIN); the pin keeps it alive
    /// after this process exits. Remove it with <see cref="Unpin"/>.</summary>
    public void Pin(string path)
    {
        ObjectInfo.Pin(Handle, path, $"pin map '{Name}' at '{path}'");
        PinnedPath = path;
    }

    /// <summary>Removes the pin (the map lives on while fds or programs use it).</summary>
    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    /// <summary>What the kernel reports about the map (id, type, sizes, kernel name).</summary>
    public MapInfo GetInfo()
    {
        var info = ObjectInfo.Get<KernelMapInfo>(Handle, $"get info of map '{Name}'");
        return new MapInfo(info.Id, (MapType)info.Type, ObjectName.Read(new ReadOnlySpan<byte>(info.Name, 16)),
            info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags, info.BtfId, info.BtfKeyTypeId, info.BtfValueTypeId);
    }

    /// <summary>A typed view: keys of <typeparamref name="TKey"/>, values of <typeparamref name="TValue"/>. Their sizes
    /// must equal the map's key and value sizes; per-CPU maps need <see cref="AsPerCpu{TKey, TValue}"/>.</summary>
    public Map<TKey, TValue> As<TKey, TValue>() where TKey : unmanaged where TValue : unmanaged => new(this);

    /// <summary>A typed view of a per-CPU map: each value is an array with one element per possible CPU.</summary>
    public PerCpuMap<TKey, TValue> AsPerCpu<TKey, TValue>() where TKey : unmanaged where TValue : unmanaged => new(this);

    /// <summary>A view of a map of maps (inner maps set by fd, read back by id).</summary>
    public MapOfMaps<TKey> AsMapOfMaps<TKey>() where TKey : unmanaged => new(this);

    /// <summary>A view of a queue or stack map (push, pop, peek).</summary>
    public QueueMap<T> AsQueue<T>() where T : unmanaged => new(this);

    /// <summary>A view of a stack trace map.</summary>
    public StackTraceMap AsStackTraces() => new(this);

    /// <summary>A view of a prog_array map (tail-call targets).</summary>
    public ProgramArray AsProgramArray() => new(this);

    public void Dispose() => Handle.Dispose();

    public override string ToString() => $"map '{Name}' ({MapKinds.KernelName(Type)}, key {KeySize}, value {ValueSize}, max {MaxEntries})";
}
