using System.Text;

namespace Ebpf.Object.Elf;

/// <summary>An ELF string table under construction (<c>.strtab</c>): offset 0 is the empty string, each name stored once.</summary>
internal sealed class ElfStringTableBuilder
{
    readonly Dictionary<string, uint> _offsets = new(StringComparer.Ordinal) { [""] = 0 };
    readonly List<byte> _bytes = new() { 0 };

    public uint Add(string name)
    {
        if (_offsets.TryGetValue(name, out uint off)) return off;
        if (name.Contains('\0')) throw new ArgumentException($"ELF names cannot contain NUL: '{name.Replace("\0", "\\0")}'");
        off = (uint)_bytes.Count;
        _bytes.AddRange(Encoding.UTF8.GetBytes(name));
        _bytes.Add(0);
        _offsets.Add(name, off);
        return off;
    }

    public byte[] ToArray() => _bytes.ToArray();
}
