using System.Text;

namespace Ebpf.Btf.Wire;

/// <summary>The BTF string area under construction: NUL-terminated UTF-8 strings, offset 0 is the
/// empty string, each distinct string stored once.</summary>
internal sealed class BtfStringTable
{
    /// <summary>Largest name offset a type record can hold (BTF_MAX_NAME_OFFSET).</summary>
    public const uint MaxOffset = 0x00ff_ffff;

    readonly Dictionary<string, uint> _offsets = new(StringComparer.Ordinal) { [""] = 0 };
    readonly List<byte> _bytes = new() { 0 };

    public BtfStringTable() { }

    /// <summary>Starts from an existing string area (kept byte for byte, so its offsets stay valid).</summary>
    public BtfStringTable(ReadOnlySpan<byte> existing)
    {
        _bytes.Clear();
        _bytes.AddRange(existing.ToArray());
        if (_bytes.Count == 0 || _bytes[^1] != 0) _bytes.Add(0);
        int start = 0;
        for (int i = 0; i < _bytes.Count; i++)
        {
            if (_bytes[i] != 0) continue;
            var s = Encoding.UTF8.GetString(existing.Slice(start, Math.Min(i, existing.Length) - start));
            _offsets.TryAdd(s, (uint)start);
            start = i + 1;
        }
    }

    public int Length => _bytes.Count;

    public uint Add(string? value)
    {
        if (string.IsNullOrEmpty(value)) return 0;
        if (_offsets.TryGetValue(value, out uint off)) return off;
        if (value.Contains('\0')) throw new ArgumentException($"BTF strings cannot contain NUL: '{value.Replace("\0", "\\0")}'", nameof(value));
        off = (uint)_bytes.Count;
        _bytes.AddRange(Encoding.UTF8.GetBytes(value));
        _bytes.Add(0);
        _offsets.Add(value, off);
        return off;
    }

    public byte[] ToArray() => _bytes.ToArray();
}
