using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Longest-prefix-match tries (<c>BPF_MAP_TYPE_LPM_TRIE</c>): a key is a u32 prefix length in bits followed by
/// the data; a lookup finds the stored prefix that matches the most leading bits of the key's data.</summary>
/// <remarks>As kernel/bpf/lpm_trie.c: an update with a prefix longer than the data is -EINVAL, a full trie refuses a
/// new prefix with -ENOSPC, a delete needs the exact prefix, and stored data is kept masked to its prefix.</remarks>
public sealed class LpmTrieMap : InterpreterMap
{
    sealed class Entry(byte[] value, MemoryRegion region)
    {
        public byte[] Value { get; } = value;
        public MemoryRegion Region { get; } = region;
    }

    readonly Dictionary<byte[], Entry> _entries = new(KeyComparer.Instance);   // key: prefix length + masked data

    internal LpmTrieMap(string name, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.LpmTrie, keySize, valueSize, maxEntries, memory)
    {
        if (keySize <= 4) throw new ArgumentException($"LPM trie '{name}' needs keys of a 4-byte prefix length and at least one data byte, not {keySize} bytes");
    }

    int DataBits => (KeySize - 4) * 8;

    public int Count => _entries.Count;

    /// <summary>The key with its data masked to its prefix length, or null when the prefix is longer than the data.</summary>
    byte[]? Normalized(ReadOnlySpan<byte> key)
    {
        uint prefix = BitConverter.ToUInt32(key);
        if (prefix > DataBits) return null;
        return Masked(key, (int)prefix);
    }

    static byte[] Masked(ReadOnlySpan<byte> key, int prefix)
    {
        var masked = key.ToArray();
        BitConverter.TryWriteBytes(masked, (uint)prefix);
        for (int bit = prefix; bit < (masked.Length - 4) * 8; bit++)
            masked[4 + bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return masked;
    }

    internal override ulong LookupAddress(ReadOnlySpan<byte> key)
    {
        uint prefix = Math.Min(BitConverter.ToUInt32(key), (uint)DataBits);
        for (int length = (int)prefix; length >= 0; length--)
            if (_entries.TryGetValue(Masked(key, length), out var entry)) return entry.Region.Address;
        return 0;
    }

    internal override long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        if (flags > Exist) return -EINVAL;
        var k = Normalized(key);
        if (k is null) return -EINVAL;
        if (_entries.TryGetValue(k, out var entry))
        {
            if (flags == NoExist) return -EEXIST;
            value.CopyTo(entry.Value);
            return 0;
        }
        if (flags == Exist) return -ENOENT;
        if (_entries.Count >= MaxEntries) return -ENOSPC;
        var bytes = value.ToArray();
        _entries[k] = new Entry(bytes, Memory.Map($"value of LPM trie '{Name}' prefix {Describe(k)}", RegionKind.MapValue, bytes));
        return 0;
    }

    internal override long DeleteElement(ReadOnlySpan<byte> key)
    {
        var k = Normalized(key);
        if (k is null) return -EINVAL;
        if (!_entries.Remove(k, out var entry)) return -ENOENT;
        Memory.Unmap(entry.Region);
        return 0;
    }

    static string Describe(byte[] key) => $"{Convert.ToHexString(key.AsSpan(4))}/{BitConverter.ToUInt32(key)}";

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _entries.Select(e => (e.Key.ToArray(), e.Value.Value.ToArray())).ToList();
}
