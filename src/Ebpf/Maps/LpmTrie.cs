using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.Maps.Storage;

namespace Ebpf;

/// <summary>A key of an <see cref="LpmTrie{TKey, TValue}"/> (struct bpf_lpm_trie_key): a prefix length in bits,
/// then the data it applies to, in network byte order (most significant bit first).</summary>
/// <remarks>Any struct that starts with a <c>uint</c> prefix length followed by the data bytes works as a key;
/// this one saves declaring it. <c>LpmKey&lt;uint&gt;</c> is an IPv4 prefix.</remarks>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct LpmKey<TData> where TData : unmanaged
{
    /// <summary>The number of leading bits of <see cref="Data"/> that count (the "/24" of 10.0.0.0/24).</summary>
    public uint PrefixLength;
    /// <summary>The address or other bit string, network byte order.</summary>
    public TData Data;

    /// <summary>A key for <paramref name="data"/> with <paramref name="prefixLength"/> significant bits.</summary>
    public LpmKey(uint prefixLength, TData data)
    {
        PrefixLength = prefixLength;
        Data = data;
    }
}

/// <summary>A longest-prefix-match trie (BPF_MAP_TYPE_LPM_TRIE), e.g. IP routes or CIDR allow lists.</summary>
/// <remarks>
/// Kernel 4.11. <typeparamref name="TKey"/> starts with a <c>uint</c> prefix length followed by 1 to 256 data
/// bytes (see <see cref="LpmKey{TData}"/>). <see cref="Lookup"/> finds the entry with the longest prefix
/// that matches the key's first <c>PrefixLength</c> bits; <see cref="Update"/> and <see cref="Delete"/> work on
/// exact prefixes (bits beyond the prefix length do not matter). The kernel requires
/// <see cref="MapFlags.NoPrealloc"/>, hence the default flags. A new prefix in a full trie gives -ENOSPC.
/// </remarks>
[BpfMap(MapType.LpmTrie)]
public sealed class LpmTrie<TKey, TValue> : BpfMap, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : unmanaged where TValue : unmanaged
{
    readonly Dictionary<(uint Length, string Bits), (TKey Key, ValueSlot<TValue> Slot)> _prefixes = [];
    readonly Lock _gate = new();
    readonly uint _maxPrefixLength;

    /// <summary>Defines the trie: <paramref name="maxEntries"/> prefixes.</summary>
    public LpmTrie(uint maxEntries, MapFlags flags = MapFlags.NoPrealloc, MapPinning pinning = MapPinning.None)
        : base(MapType.LpmTrie, maxEntries, flags, pinning)
    {
        if ((flags & MapFlags.NoPrealloc) == 0)
            throw new ArgumentException("The kernel creates LPM tries only with MapFlags.NoPrealloc (BPF_F_NO_PREALLOC).", nameof(flags));
        int dataBytes = Unsafe.SizeOf<TKey>() - sizeof(uint);
        if (dataBytes is < 1 or > 256)
            throw new ArgumentException($"An LPM trie key is a uint prefix length and 1 to 256 data bytes; {typeof(TKey).Name} has {dataBytes} data bytes.");
        _maxPrefixLength = (uint)dataBytes * 8;
    }

    /// <summary>A reference to the value of the longest stored prefix matching <paramref name="key"/>, or a null reference.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(1)]
    public ref TValue Lookup(in TKey key)
    {
        var slot = Match(key);
        if (slot is null) return ref Unsafe.NullRef<TValue>();
        return ref slot.Value;
    }

    /// <summary>Copies the value of the longest stored prefix matching <paramref name="key"/>; false when none matches.</summary>
    /// <remarks><c>bpf_map_lookup_elem</c>, then a copy when not NULL.</remarks>
    [MapHelper(1)]
    public bool TryGetValue(in TKey key, out TValue value)
    {
        var slot = Match(key);
        value = slot is null ? default : slot.Value;
        return slot is not null;
    }

    /// <summary>Stores <paramref name="value"/> for the prefix <paramref name="key"/>; returns 0 or a negative errno
    /// (-EINVAL for a prefix longer than the data or bad flags, -EEXIST/-ENOENT for NoExist/Exist, -ENOSPC when full).</summary>
    /// <remarks><c>bpf_map_update_elem(map, &amp;key, &amp;value, flags)</c>.</remarks>
    [MapHelper(2)]
    public long Update(in TKey key, in TValue value, MapUpdate flags = MapUpdate.Any)
    {
        if ((ulong)flags > (ulong)MapUpdate.Exist) return -Errno.EINVAL;
        uint length = PrefixLength(key);
        if (length > _maxPrefixLength) return -Errno.EINVAL;
        var id = (length, Bits(key, length));
        lock (_gate)
        {
            bool present = _prefixes.ContainsKey(id);
            if (present && flags == MapUpdate.NoExist) return -Errno.EEXIST;
            if (!present && flags == MapUpdate.Exist) return -Errno.ENOENT;
            if (!present && _prefixes.Count >= MaxEntries) return -Errno.ENOSPC;
            _prefixes[id] = (key, new ValueSlot<TValue>(value));
            return 0;
        }
    }

    /// <summary>Removes the exact prefix <paramref name="key"/>; returns 0, -ENOENT when absent, -EINVAL for a prefix longer than the data.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;key)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in TKey key)
    {
        uint length = PrefixLength(key);
        if (length > _maxPrefixLength) return -Errno.EINVAL;
        lock (_gate) return _prefixes.Remove((length, Bits(key, length))) ? 0 : -Errno.ENOENT;
    }

    /// <summary>The number of stored prefixes.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _prefixes.Count; } }

    /// <summary>Removes every prefix.</summary>
    [ManagedOnly] public void Clear() { lock (_gate) _prefixes.Clear(); }

    /// <summary>A snapshot of the stored prefixes (keys as last written) and their values.</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        List<KeyValuePair<TKey, TValue>> all;
        lock (_gate) all = _prefixes.Values.Select(e => new KeyValuePair<TKey, TValue>(e.Key, e.Slot.Value)).ToList();
        return all.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    ValueSlot<TValue>? Match(in TKey key)
    {
        uint limit = Math.Min(PrefixLength(key), _maxPrefixLength);
        lock (_gate)
        {
            if (_prefixes.Count == 0) return null;
            for (long length = limit; length >= 0; length--)
                if (_prefixes.TryGetValue(((uint)length, Bits(key, (uint)length)), out var entry)) return entry.Slot;
            return null;
        }
    }

    static uint PrefixLength(in TKey key) => MemoryMarshal.Read<uint>(ByteWiseComparer<TKey>.BytesOf(key));

    /// <summary>The first <paramref name="length"/> bits of the key's data, most significant bit first.</summary>
    static string Bits(in TKey key, uint length)
    {
        var data = ByteWiseComparer<TKey>.BytesOf(key)[sizeof(uint)..];
        return string.Create((int)length, data.ToArray(), static (chars, bytes) =>
        {
            for (int i = 0; i < chars.Length; i++) chars[i] = (bytes[i / 8] >> (7 - i % 8) & 1) == 1 ? '1' : '0';
        });
    }
}
