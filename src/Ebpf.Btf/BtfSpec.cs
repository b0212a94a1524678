using Ebpf.Btf.Wire;

namespace Ebpf.Btf;

// CONTRACT. Implementation: BTF helper.

/// <summary>An encoded BTF blob and its decoded type graph: ids map to types and back.</summary>
/// <remarks>A spec is immutable once made and safe to share between threads. Specs from
/// <see cref="BtfBuilder.Build"/> hold the builder's own type objects, so <see cref="IdOf"/> answers
/// for the objects the caller added; specs from <see cref="Parse"/> hold fresh objects.</remarks>
public sealed class BtfSpec
{
    readonly byte[] _raw;
    readonly BtfType[] _types;
    readonly int[] _recordOffsets;
    readonly BtfStrings _strings;
    Dictionary<BtfType, int>? _ids;
    Dictionary<string, int[]>? _byName;

    internal BtfSpec(byte[] raw, BtfType[] types, int[] recordOffsets, BtfStrings strings, Dictionary<BtfType, int>? ids)
    {
        _raw = raw;
        _types = types;
        _recordOffsets = recordOffsets;
        _strings = strings;
        _ids = ids;
    }

    /// <summary>The exact <c>.BTF</c> bytes (what goes into the ELF and into BPF_BTF_LOAD). Do not modify the array.</summary>
    public byte[] RawBytes => _raw;

    /// <summary>All types; index = type id; index 0 is <see cref="BtfVoid.Instance"/>.</summary>
    public IReadOnlyList<BtfType> Types => _types;

    public BtfType this[int id] => (uint)id < (uint)_types.Length
        ? _types[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"type id {id} is not in this BTF ({_types.Length - 1} types)");

    /// <summary>The type with id <paramref name="id"/>, or false when there is no such id.</summary>
    public bool TryGetType(int id, out BtfType type)
    {
        if ((uint)id < (uint)_types.Length) { type = _types[id]; return true; }
        type = BtfVoid.Instance;
        return false;
    }

    /// <summary>The id of a type of this spec (by reference identity).</summary>
    public int IdOf(BtfType type) => TryGetId(type, out int id)
        ? id
        : throw new ArgumentException($"{type} is not a type of this BTF (ids are per spec, by object identity)", nameof(type));

    public bool TryGetId(BtfType type, out int id)
    {
        if (type is BtfVoid) { id = 0; return true; }
        var ids = Volatile.Read(ref _ids);
        if (ids == null)
        {
            ids = new Dictionary<BtfType, int>(_types.Length, ReferenceEqualityComparer.Instance);
            for (int i = 0; i < _types.Length; i++) ids[_types[i]] = i;
            Volatile.Write(ref _ids, ids);
        }
        return ids.TryGetValue(type, out id);
    }

    /// <summary>The string at <paramref name="offset"/> of the string section (offset 0 is the empty string).</summary>
    public string GetString(uint offset) => offset == 0 ? "" : _strings.Get(offset);

    /// <summary>Offset of an existing string in the string section, or null.</summary>
    public uint? FindString(string value) => _strings.Find(value);

    /// <summary>The first named type of the given kind (e.g. <c>FindType&lt;BtfDatasec&gt;(".maps")</c>).</summary>
    public T? FindType<T>(string name) where T : BtfType
    {
        foreach (var t in FindTypes<T>(name)) return t;
        return null;
    }

    /// <summary>Every type of the given kind named <paramref name="name"/>, in id order.</summary>
    public IEnumerable<T> FindTypes<T>(string name) where T : BtfType
    {
        var byName = Volatile.Read(ref _byName);
        if (byName == null)
        {
            var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 1; i < _types.Length; i++)
            {
                var n = _types[i].Name;
                if (string.IsNullOrEmpty(n)) continue;
                if (!lists.TryGetValue(n, out var l)) lists[n] = l = new List<int>(1);
                l.Add(i);
            }
            byName = lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
            Volatile.Write(ref _byName, byName);
        }
        if (!byName.TryGetValue(name, out var ids)) yield break;
        foreach (int id in ids)
            if (_types[id] is T t) yield return t;
    }

    /// <summary>Byte offset of type <paramref name="id"/>'s record in <see cref="RawBytes"/> (for in-place fixups).</summary>
    internal int RecordOffset(int id) => _recordOffsets[id];

    /// <summary>A spec with the same types (the same objects, the same ids) whose string section also holds
    /// <paramref name="strings"/>; existing string offsets are unchanged. Returns this spec when nothing is missing.</summary>
    public BtfSpec WithStrings(IEnumerable<string> strings)
    {
        var missing = strings.Where(s => s.Length > 0 && FindString(s) == null).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0) return this;
        var header = BtfHeader.Read(_raw);
        var table = new BtfStringTable(_strings.Bytes);
        foreach (var s in missing) table.Add(s);
        var stringBytes = table.ToArray();
        int typeLen = (int)header.TypeLength;
        var raw = new byte[BtfHeader.Size + typeLen + stringBytes.Length];
        new BtfHeader(BtfHeader.Size, 0, (uint)typeLen, (uint)typeLen, (uint)stringBytes.Length).Write(raw);
        _raw.AsSpan(header.TypeStart, typeLen).CopyTo(raw.AsSpan(BtfHeader.Size));
        stringBytes.CopyTo(raw.AsSpan(BtfHeader.Size + typeLen));
        var offsets = _recordOffsets.Select(o => o < 0 ? o : o - header.TypeStart + BtfHeader.Size).ToArray();
        return new BtfSpec(raw, _types, offsets, new BtfStrings(raw, BtfHeader.Size + typeLen, stringBytes.Length), Volatile.Read(ref _ids));
    }

    /// <summary>A spec with the same types (the same objects, the same ids) over <paramref name="raw"/>: this spec's
    /// type records, possibly edited in place and followed by records the model does not hold, then its strings
    /// with more appended (a loader's rewrite for the kernel, <see cref="BtfExternFixup"/>).</summary>
    internal BtfSpec WithRaw(byte[] raw)
    {
        var before = BtfHeader.Read(_raw);
        var after = BtfHeader.Read(raw);
        var offsets = _recordOffsets.Select(o => o < 0 ? o : o - before.TypeStart + after.TypeStart).ToArray();
        return new BtfSpec(raw, _types, offsets, new BtfStrings(raw, after.StringStart, (int)after.StringLength), Volatile.Read(ref _ids));
    }

    /// <summary>Parses a <c>.BTF</c> blob; throws <see cref="BtfFormatException"/> with one clear message when malformed.</summary>
    public static BtfSpec Parse(ReadOnlySpan<byte> bytes)
    {
        var header = BtfHeader.Read(bytes);
        var raw = bytes.ToArray();
        var strings = new BtfStrings(raw, header.StringStart, (int)header.StringLength);
        var (types, offsets) = BtfTypeReader.Read(raw, header, strings);
        return new BtfSpec(raw, types, offsets, strings, null);
    }

    /// <summary>Parses split BTF (a kernel module's <c>/sys/kernel/btf/&lt;module&gt;</c>) on top of <paramref name="baseSpec"/>
    /// (vmlinux): its types take ids from <c>baseSpec.Types.Count</c> on and may refer to the base's types and strings.
    /// The spec's <see cref="Types"/> holds the base's types (the same objects) followed by its own.</summary>
    public static BtfSpec ParseSplit(ReadOnlySpan<byte> bytes, BtfSpec baseSpec)
    {
        var header = BtfHeader.Read(bytes);
        var raw = bytes.ToArray();
        var strings = new BtfStrings(raw, header.StringStart, (int)header.StringLength, baseSpec._strings);
        var (types, offsets) = BtfTypeReader.Read(raw, header, strings, baseSpec._types);
        return new BtfSpec(raw, types, offsets, strings, null);
    }

    /// <summary>Parses a BTF file such as the kernel's <c>/sys/kernel/btf/vmlinux</c>; errors name the file.</summary>
    public static BtfSpec ParseFile(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BtfFormatException($"{path}: cannot read BTF: {e.Message}");
        }
        try { return Parse(bytes); }
        catch (BtfFormatException e) { throw new BtfFormatException($"{path}: {e.Message}"); }
    }

    /// <summary>The running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>, CONFIG_DEBUG_INFO_BTF).</summary>
    public static BtfSpec LoadKernel() => ParseFile("/sys/kernel/btf/vmlinux");
}

/// <summary>A malformed BTF or .BTF.ext blob.</summary>
public sealed class BtfFormatException(string message) : FormatException(message);
