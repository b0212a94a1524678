using Ebpf.Btf.Wire;

namespace Ebpf.Btf;

// CONTRACT. Implementation: BTF helper.

/// <summary>Collects types (and the types they reference), assigns ids in insertion order
/// (void is 0), de-duplicates strings, and encodes the <c>.BTF</c> blob.</summary>
/// <remarks>Referenced types get ids in depth-first pre-order right after the type that first
/// refers to them, as clang numbers them. A type's id is reserved before its references are
/// visited, so cycles through struct members and pointers terminate. Arrays get the index type
/// clang uses: an unsigned 4-byte INT named <c>__ARRAY_SIZE_TYPE__</c>, added once.</remarks>
public sealed class BtfBuilder
{
    public const string ArrayIndexTypeName = "__ARRAY_SIZE_TYPE__";

    readonly List<BtfType> _types = new() { BtfVoid.Instance };
    readonly Dictionary<BtfType, int> _ids = new(ReferenceEqualityComparer.Instance) { [BtfVoid.Instance] = 0 };
    readonly BtfStringTable _strings = new();
    BtfInt? _arrayIndexType;

    /// <summary>Number of types including void.</summary>
    public int Count => _types.Count;

    /// <summary>The types added so far; index = id.</summary>
    public IReadOnlyList<BtfType> Types => _types;

    public bool Contains(BtfType type) => _ids.ContainsKey(type);

    /// <summary>The id <paramref name="type"/> was given by <see cref="Add"/>.</summary>
    public int IdOf(BtfType type) => _ids.TryGetValue(type, out int id)
        ? id
        : throw new ArgumentException($"{type} was not added to this builder", nameof(type));

    /// <summary>Adds <paramref name="type"/> and everything it references (once, by reference identity); returns its id.</summary>
    public int Add(BtfType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (_ids.TryGetValue(type, out int existing)) return existing;
        int id = Register(type);
        // Depth-first pre-order without recursion: kernel-sized graphs would overflow the stack.
        var stack = new Stack<IEnumerator<BtfType>>();
        stack.Push(ReferencesWithIndexType(type).GetEnumerator());
        while (stack.Count > 0)
        {
            var refs = stack.Peek();
            if (!refs.MoveNext()) { refs.Dispose(); stack.Pop(); continue; }
            var next = refs.Current ?? throw new ArgumentException($"a type reachable from {type} refers to null");
            if (_ids.ContainsKey(next)) continue;
            Register(next);
            stack.Push(ReferencesWithIndexType(next).GetEnumerator());
        }
        return id;
    }

    /// <summary>Gives ids to <paramref name="types"/> in exactly their order first, then adds what they reference.
    /// Adding all types of a parsed spec this way keeps every id.</summary>
    public void AddRange(IEnumerable<BtfType> types)
    {
        var added = new List<BtfType>();
        foreach (var t in types)
        {
            ArgumentNullException.ThrowIfNull(t);
            if (_ids.ContainsKey(t)) continue;
            Register(t);
            added.Add(t);
        }
        foreach (var t in added)
            foreach (var r in ReferencesWithIndexType(t))
                Add(r);
    }

    /// <summary>Adds a string to the string table (for .BTF.ext file names and source lines); returns its offset.</summary>
    public uint AddString(string value) => _strings.Add(value);

    /// <summary>The INT every array without its own <see cref="BtfArray.IndexType"/> is indexed by (<c>__ARRAY_SIZE_TYPE__</c>), added on first use.</summary>
    public BtfInt ArrayIndexType => _arrayIndexType ??= new BtfInt(ArrayIndexTypeName, 4, isSigned: false);

    /// <summary>Encodes header, type section and string section (little-endian, version 1) and returns the parsed view.</summary>
    /// <remarks>Types reachable only through struct members added after <see cref="Add"/> are added here.
    /// The spec is a snapshot: changing a struct's members afterwards does not change its bytes.</remarks>
    public BtfSpec Build()
    {
        for (int i = 1; i < _types.Count; i++)
            foreach (var r in ReferencesWithIndexType(_types[i]))
                Add(r);

        int typeLength = 0;
        for (int i = 1; i < _types.Count; i++) typeLength += BtfTypeWriter.RecordSize(_types[i]);
        var typeBytes = new byte[typeLength];
        var offsets = new int[_types.Count];
        offsets[0] = -1;
        int arrayIndexId = _arrayIndexType != null && _ids.TryGetValue(_arrayIndexType, out int ai) ? ai : 0;
        int pos = 0;
        for (int i = 1; i < _types.Count; i++)
        {
            offsets[i] = BtfHeader.Size + pos;
            pos += BtfTypeWriter.Write(_types[i], typeBytes.AsSpan(pos), t => _ids[t], _strings, arrayIndexId);
        }
        var stringBytes = _strings.ToArray();
        var raw = new byte[BtfHeader.Size + typeLength + stringBytes.Length];
        new BtfHeader(BtfHeader.Size, 0, (uint)typeLength, (uint)typeLength, (uint)stringBytes.Length).Write(raw);
        typeBytes.CopyTo(raw.AsSpan(BtfHeader.Size));
        stringBytes.CopyTo(raw.AsSpan(BtfHeader.Size + typeLength));
        var strings = new BtfStrings(raw, BtfHeader.Size + typeLength, stringBytes.Length);
        return new BtfSpec(raw, _types.ToArray(), offsets,
            strings, new Dictionary<BtfType, int>(_ids, ReferenceEqualityComparer.Instance));
    }

    int Register(BtfType type)
    {
        if (type is BtfVoid) return 0;
        if (_types.Count > 0xfffff) throw new InvalidOperationException("BTF cannot hold more than 1048575 types");
        int id = _types.Count;
        _types.Add(type);
        _ids.Add(type, id);
        _strings.Add(type.Name);
        return id;
    }

    IEnumerable<BtfType> ReferencesWithIndexType(BtfType type)
    {
        foreach (var r in BtfKinds.References(type)) yield return r;
        if (type is BtfArray { IndexType: null }) yield return ArrayIndexType;
    }
}
