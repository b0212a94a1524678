using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Array maps (<c>BPF_MAP_TYPE_ARRAY</c>, <c>PERCPU_ARRAY</c>): <see cref="InterpreterMap.MaxEntries"/> zeroed
/// values indexed by a u32 key, which always exist (delete is -EINVAL, BPF_NOEXIST is -EEXIST).</summary>
public sealed class ArrayTable : InterpreterMap
{
    readonly byte[] _values;
    readonly MemoryRegion?[] _regions;

    internal ArrayTable(string name, KernelMapType type, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, type, keySize, valueSize, maxEntries, memory)
    {
        if (keySize != 4) throw new ArgumentException($"array map '{name}' must have 4-byte keys, not {keySize}");
        _values = new byte[checked(valueSize * maxEntries)];
        _regions = new MemoryRegion?[maxEntries];
    }

    /// <summary>The value at <paramref name="index"/>, in place (tests may read or write it directly).</summary>
    public Span<byte> Value(int index) => _values.AsSpan(checked(index * ValueSize), ValueSize);

    internal override ulong LookupAddress(ReadOnlySpan<byte> key)
    {
        uint index = BitConverter.ToUInt32(key);
        if (index >= (uint)MaxEntries) return 0;
        return (_regions[index] ??= Memory.Map($"value {index} of map '{Name}'", RegionKind.MapValue, _values, (int)index * ValueSize, ValueSize, writable: true)).Address;
    }

    internal override long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        if (flags > Exist) return -EINVAL;
        uint index = BitConverter.ToUInt32(key);
        if (index >= (uint)MaxEntries) return -E2BIG;
        if (flags == NoExist) return -EEXIST;
        value.CopyTo(Value((int)index));
        return 0;
    }

    internal override long DeleteElement(ReadOnlySpan<byte> key) => -EINVAL;

    internal override IReadOnlyList<(byte[] Key, ulong ValueAddress)> Elements()
        => Enumerable.Range(0, MaxEntries).Select(i => (BitConverter.GetBytes((uint)i), LookupAddress(BitConverter.GetBytes((uint)i)))).ToList();

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries
        => Enumerable.Range(0, MaxEntries).Select(i => (BitConverter.GetBytes((uint)i), Value(i).ToArray())).ToList();
}
