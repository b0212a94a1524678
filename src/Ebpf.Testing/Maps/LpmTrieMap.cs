using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Longest-prefix-match tries (<c>BPF_MAP_TYPE_LPM_TRIE</c>): a key is a u32 prefix length in bits followed by
/// the data; a lookup finds the stored prefix that matches the most leading bits of the key's data.</summary>
/// <remarks>As kernel/bpf/lpm_trie.c: an update with a prefix longer than the data is -EINVAL, a full trie refuses a
/// new prefix with -ENOSPC, a delete needs the exact prefix, and stored data is kept masked to its prefix.</remarks>
public sealed class LpmTrieMap : InterpreterMap
{
    // The stored prefixes, keyed by prefix length and data masked to it.
    readonly HashTable _prefixes;

    internal LpmTrieMap(string name, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.LpmTrie, keySize, valueSize, maxEntries, memory)
    {
        if (keySize <= 4) throw new ArgumentException($"LPM trie '{name}' needs keys of a 4-byte prefix length and at least one data byte, not {keySize} bytes");
        _prefixes = new HashTable(name, KernelMapType.Hash, keySize, valueSize, maxEntries, memory);
    }

    int DataBits => (KeySize - 4) * 8;

    public int Count => _prefixes.Count;

    /// <summary>The key with its data masked to its prefix length, or null when the prefix is longer than the data.</summary>
    byte[]? Normalized(ReadOnlySpan<byte> key)
    {
        uint prefix = BitConverter.ToUInt32(key);
        return prefix > DataBits ? null : Masked(key, (int)prefix);
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
            if (_prefixes.LookupAddress(Masked(key, length)) is not 0 and var address) return address;
        return 0;
    }

    internal override long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        var k = Normalized(key);
        if (k is null) return -EINVAL;
        long rc = _prefixes.UpdateElement(k, value, flags);
        return rc == -E2BIG ? -ENOSPC : rc;   // a full trie says ENOSPC where a full hash map says E2BIG
    }

    internal override long DeleteElement(ReadOnlySpan<byte> key) => Normalized(key) is { } k ? _prefixes.DeleteElement(k) : -EINVAL;

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _prefixes.Entries;
}
