using Ebpf.Object;
using Ebpf.Runtime.Events;

namespace Ebpf.Runtime;

/// <summary>The memory of a BPF_F_MMAPABLE array map mapped into this process: the bytes the programs read and
/// write, shared without a system call per access (libbpf's <c>skel-&gt;data</c>/<c>skel-&gt;bss</c>). A write
/// touches only the bytes written, so it cannot undo a program's concurrent update of a neighbouring variable.
/// A frozen map is mapped read-only.</summary>
public sealed unsafe class MappedArray : IDisposable
{
    readonly byte* _address;
    readonly nuint _length;
    readonly int _size;
    bool _disposed;

    MappedArray(byte* address, nuint length, int size, bool writable)
    {
        _address = address;
        _length = length;
        _size = size;
        IsWritable = writable;
    }

    /// <summary>Maps the values of <paramref name="map"/> (an array created with BPF_F_MMAPABLE).</summary>
    public static MappedArray Of(Map map)
    {
        if (map.Type != MapType.Array || (map.Flags & DataSectionMaps.MmapableFlag) == 0)
            throw new InvalidOperationException($"map '{map.Name}' is not a memory-mappable array (BPF_F_MMAPABLE)");
        // The kernel lays out an mmapable array's values 8-byte aligned, one after the other, from the page start.
        long size = (long)((map.ValueSize + 7) & ~7u) * map.MaxEntries;
        nuint length = (nuint)((size + Environment.SystemPageSize - 1) / Environment.SystemPageSize * Environment.SystemPageSize);
        bool writable = !map.IsFrozen;
        int protection = EventNative.ProtRead | (writable ? EventNative.ProtWrite : 0);
        var address = EventNative.Map(map.Fd, length, protection, 0, $"mmap of map '{map.Name}'");
        return new MappedArray(address, length, (int)size, writable);
    }

    /// <summary>Whether writes are allowed (the map is not frozen).</summary>
    public bool IsWritable { get; }

    /// <summary>The mapped values.</summary>
    public Span<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new Span<byte>(_address, _size);
        }
    }

    /// <summary>Reads a <typeparamref name="T"/> at <paramref name="offset"/> as the programs see it now.</summary>
    public T Read<T>(int offset) where T : unmanaged
    {
        CheckRange<T>(offset);
        return *(T*)(_address + offset);
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/>, visible to the programs at once.</summary>
    public void Write<T>(int offset, T value) where T : unmanaged
    {
        CheckRange<T>(offset);
        if (!IsWritable) throw new InvalidOperationException("the map is frozen: its memory is mapped read-only");
        *(T*)(_address + offset) = value;
    }

    void CheckRange<T>(int offset) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || offset > _size - sizeof(T))
            throw new ArgumentOutOfRangeException(nameof(offset), $"{sizeof(T)} bytes at {offset} lie outside the {_size}-byte mapping");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        EventNative.Unmap(_address, _length);
    }
}
