using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Bloom filters (<c>BPF_MAP_TYPE_BLOOM_FILTER</c>): <c>bpf_map_push_elem</c> adds a value,
/// <c>bpf_map_peek_elem</c> answers 0 (maybe present) or -ENOENT (absent).</summary>
/// <remarks>Modelled exactly, as a set: the kernel's filter may also answer 0 for a value never added (a false
/// positive, at a rate set by the map's size and hash count); a program must treat 0 as "maybe", and a test of this
/// model sees "maybe" only for values added.</remarks>
public sealed class BloomFilterMap : InterpreterMap
{
    readonly HashSet<byte[]> _values = new(KeyComparer.Instance);

    internal BloomFilterMap(string name, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.BloomFilter, 0, valueSize, maxEntries, memory) { }

    /// <summary><c>bpf_map_push_elem(map, value, BPF_ANY)</c>: 0; other flags are -EINVAL.</summary>
    internal long Add(ReadOnlySpan<byte> value, ulong flags)
    {
        if (flags != Any) return -EINVAL;
        _values.Add(value.ToArray());
        return 0;
    }

    /// <summary>Whether <paramref name="value"/> was added (what <c>bpf_map_peek_elem</c> tests).</summary>
    public bool MayContain(ReadOnlySpan<byte> value) => _values.Contains(value.ToArray());

    /// <summary>Adds <paramref name="value"/> as user space would (BPF_MAP_UPDATE_ELEM with no key).</summary>
    public override void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.Length != ValueSize) throw new ArgumentException($"bloom filter '{Name}' has {ValueSize}-byte values, got {value.Length} bytes");
        _values.Add(value.ToArray());
    }

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _values.Select(v => (Array.Empty<byte>(), v.ToArray())).ToList();
}
