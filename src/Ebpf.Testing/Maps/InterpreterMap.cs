using Ebpf.Testing.Isa;
using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>A map as the interpreter keeps it: the program reaches it through helpers (with the kernel's semantics and
/// error codes), the test through <see cref="Lookup"/>, <see cref="Update"/>, <see cref="Delete"/> and <see cref="Entries"/>.</summary>
/// <remarks>Per-CPU maps are seen as one CPU: a value is <see cref="ValueSize"/> bytes.</remarks>
public abstract class InterpreterMap
{
    internal const long EAGAIN = 11, ENOENT = 2, E2BIG = 7, EEXIST = 17, EINVAL = 22, EBUSY = 16, ENOSPC = 28;
    /// <summary>BPF_ANY, BPF_NOEXIST, BPF_EXIST: the update flags of <c>bpf_map_update_elem</c>.</summary>
    internal const ulong Any = 0, NoExist = 1, Exist = 2;

    private protected InterpreterMap(string name, KernelMapType type, int keySize, int valueSize, int maxEntries, AddressSpace memory)
    {
        Name = name;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Memory = memory;
        Handle = memory.Map($"map '{name}'", RegionKind.MapHandle, Array.Empty<byte>(), writable: false);
    }

    public string Name { get; }
    public KernelMapType Type { get; }
    public int KeySize { get; }
    public int ValueSize { get; }
    public int MaxEntries { get; }
    private protected AddressSpace Memory { get; }
    /// <summary>The map's address, what <c>ld_imm64</c> of the map loads and helpers receive.</summary>
    internal MemoryRegion Handle { get; }

    /// <summary><c>bpf_map_lookup_elem</c>: the address of the value, or 0.</summary>
    internal virtual ulong LookupAddress(ReadOnlySpan<byte> key) => throw Unsupported("bpf_map_lookup_elem");
    /// <summary><c>bpf_map_update_elem</c>: 0 or a negative errno.</summary>
    internal virtual long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags) => throw Unsupported("bpf_map_update_elem");
    /// <summary><c>bpf_map_delete_elem</c>: 0 or a negative errno.</summary>
    internal virtual long DeleteElement(ReadOnlySpan<byte> key) => throw Unsupported("bpf_map_delete_elem");

    /// <summary>The elements as <c>bpf_for_each_map_elem</c> walks them: each key and its value's address, taken when
    /// the walk starts (a callback may delete elements).</summary>
    internal virtual IReadOnlyList<(byte[] Key, ulong ValueAddress)> Elements() => throw Unsupported("bpf_for_each_map_elem");

    /// <summary>The value stored under <paramref name="key"/> (a copy), or null.</summary>
    public virtual byte[]? Lookup(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        ulong address = LookupAddress(key);
        return address == 0 ? null : Memory.Readable(address, ValueSize).ToArray();
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> as user space would before or between runs.</summary>
    public virtual void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckKey(key);
        if (value.Length != ValueSize) throw new ArgumentException($"map '{Name}' has {ValueSize}-byte values, got {value.Length} bytes");
        long rc = UpdateElement(key, value, Any);
        if (rc != 0) throw new InvalidOperationException($"update of map '{Name}' failed with errno {-rc}");
    }

    /// <summary>Removes <paramref name="key"/>; false when it was absent.</summary>
    public virtual bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        return DeleteElement(key) == 0;
    }

    /// <summary>Every (key, value) pair, copies, in the map's iteration order.</summary>
    public abstract IEnumerable<(byte[] Key, byte[] Value)> Entries { get; }

    private protected void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys, got {key.Length} bytes");
    }

    private protected FaultSignal Unsupported(string helper)
        => new(FaultKind.InvalidHelperArgument, $"{helper} is not allowed on map '{Name}' ({Type})", Handle.Address, Handle.ToString());

    public override string ToString() => $"{Type} map '{Name}'";
}

/// <summary>Byte-array keys compared by contents.</summary>
internal sealed class KeyComparer : IEqualityComparer<byte[]>
{
    public static readonly KeyComparer Instance = new();
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
    public int GetHashCode(byte[] key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }
}
