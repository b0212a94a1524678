using System.Text;

namespace Ebpf.Btf.Wire;

/// <summary>Read access to the string area of an encoded blob: offsets to strings (cached) and back (indexed on first use).</summary>
internal sealed class BtfStrings
{
    readonly byte[] _raw;
    readonly int _start, _length;
    readonly Dictionary<uint, string> _cache = new();
    Dictionary<string, uint>? _index;
    readonly BtfStrings? _base;

    /// <param name="baseStrings">For split BTF (kernel modules): the base's strings, which take offsets below their
    /// length; this section's strings follow them.</param>
    public BtfStrings(byte[] raw, int start, int length, BtfStrings? baseStrings = null)
    {
        _raw = raw;
        _start = start;
        _length = length;
        _base = baseStrings;
        if (baseStrings is null && length > 0 && raw[start] != 0) throw new BtfFormatException("invalid BTF: the string section does not start with an empty string (NUL)");
        if (length > 0 && raw[start + length - 1] != 0) throw new BtfFormatException("invalid BTF: the string section does not end with NUL (truncated?)");
    }

    public int Start => _start;
    public int Length => _length;
    public ReadOnlySpan<byte> Bytes => _raw.AsSpan(_start, _length);

    /// <summary>The string at <paramref name="offset"/>; null for offset 0 (no name).</summary>
    public string? GetOrNull(uint offset, int typeId = -1)
    {
        if (offset == 0) return null;
        return Get(offset, typeId);
    }

    public string Get(uint offset, int typeId = -1)
    {
        // Specs are shared between threads after parsing; the cache is the only mutable state.
        lock (_cache) return GetLocked(offset, typeId);
    }

    string GetLocked(uint offset, int typeId)
    {
        if (_cache.TryGetValue(offset, out var s)) return s;
        if (_base is not null)
        {
            if (offset < (uint)_base.Length) return _cache[offset] = _base.Get(offset, typeId);
            uint own = offset - (uint)_base.Length;
            if (own >= (uint)_length)
                throw new BtfFormatException($"invalid BTF: type [{typeId}] uses string offset {offset} outside the base and split string sections");
            var ownSpan = _raw.AsSpan(_start + (int)own, _length - (int)own);
            return _cache[offset] = Encoding.UTF8.GetString(ownSpan[..ownSpan.IndexOf((byte)0)]);
        }
        if (offset >= (uint)_length)
            throw new BtfFormatException(typeId >= 0
                ? $"invalid BTF: type [{typeId}] uses string offset {offset} outside the {_length}-byte string section"
                : $"invalid BTF: string offset {offset} is outside the {_length}-byte string section");
        var span = _raw.AsSpan(_start + (int)offset, _length - (int)offset);
        int nul = span.IndexOf((byte)0);
        s = Encoding.UTF8.GetString(span[..nul]);   // the section ends with NUL (checked), so nul >= 0
        _cache[offset] = s;
        return s;
    }

    public uint? Find(string value)
    {
        if (value.Length == 0) return 0;
        var index0 = Volatile.Read(ref _index);
        if (index0 == null)
        {
            var index = new Dictionary<string, uint>(StringComparer.Ordinal);
            var span = Bytes;
            int start = 0;
            for (int i = 0; i < span.Length; i++)
            {
                if (span[i] != 0) continue;
                if (i > start) index.TryAdd(Encoding.UTF8.GetString(span[start..i]), (uint)start);
                start = i + 1;
            }
            Volatile.Write(ref _index, index);
            index0 = index;
        }
        return index0.TryGetValue(value, out var off) ? off : null;
    }
}
