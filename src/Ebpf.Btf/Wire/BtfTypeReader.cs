using System.Buffers.Binary;

namespace Ebpf.Btf.Wire;

/// <summary>Decodes the type area of a <c>.BTF</c> blob into model types.</summary>
/// <remarks>Three passes, none recursive, so the 5.5 MB kernel BTF (deep pointer chains, cycles through
/// structs) decodes in one go without stack growth: (1) index every record and check it fits;
/// (2) create leaf types and struct/union shells, then every referring type once all its targets
/// exist, using an explicit stack (a cycle that does not pass through a struct or union is malformed);
/// (3) fill struct and union members, which may refer to anything.</remarks>
internal sealed class BtfTypeReader
{
    readonly byte[] _raw;
    readonly BtfHeader _header;
    readonly BtfStrings _strings;
    readonly List<int> _offsets = new() { -1 };   // byte offset of each record in _raw; [0] = void
    BtfType?[] _types = Array.Empty<BtfType?>();
    readonly IReadOnlyList<BtfType> _baseTypes;

    BtfTypeReader(byte[] raw, BtfHeader header, BtfStrings strings, IReadOnlyList<BtfType>? baseTypes)
    {
        _raw = raw;
        _header = header;
        _strings = strings;
        _baseTypes = baseTypes ?? new BtfType[] { BtfVoid.Instance };
        // Split BTF (kernel modules) numbers its types after the base's; base ids have no record here.
        for (int id = 1; id < _baseTypes.Count; id++) _offsets.Add(-1);
    }

    /// <param name="baseTypes">For split BTF: the base's types (index = id), which this blob's types follow and refer to.</param>
    public static (BtfType[] Types, int[] RecordOffsets) Read(byte[] raw, BtfHeader header, BtfStrings strings, IReadOnlyList<BtfType>? baseTypes = null)
    {
        var reader = new BtfTypeReader(raw, header, strings, baseTypes);
        reader.IndexRecords();
        reader.CreateTypes();
        return (reader._types!, reader._offsets.ToArray())!;
    }

    uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_raw.AsSpan(at));
    BtfKind Kind(int id) => (BtfKind)((U32(_offsets[id] + 4) >> 24) & 0x1f);
    int Vlen(int id) => (int)(U32(_offsets[id] + 4) & 0xffff);
    bool KindFlag(int id) => (U32(_offsets[id] + 4) >> 31) != 0;
    uint SizeOrType(int id) => U32(_offsets[id] + 8);
    string? OptionalName(int id) => _strings.GetOrNull(U32(_offsets[id]), id);
    string RequiredName(int id) => _strings.GetOrNull(U32(_offsets[id]), id) ?? "";

    void IndexRecords()
    {
        int pos = _header.TypeStart, end = pos + (int)_header.TypeLength;
        while (pos < end)
        {
            int id = _offsets.Count;
            if (end - pos < 12) throw Truncated(id, pos, end);
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(_raw.AsSpan(pos + 4));
            var kind = (BtfKind)((info >> 24) & 0x1f);
            int vlen = (int)(info & 0xffff);
            int trailer = kind switch
            {
                BtfKind.Int => 4,
                BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const
                    or BtfKind.Restrict or BtfKind.Func or BtfKind.Float or BtfKind.TypeTag => 0,
                BtfKind.Array => 12,
                BtfKind.Struct or BtfKind.Union => 12 * vlen,
                BtfKind.Enum => 8 * vlen,
                BtfKind.FuncProto => 8 * vlen,
                BtfKind.Var => 4,
                BtfKind.Datasec => 12 * vlen,
                BtfKind.DeclTag => 4,
                BtfKind.Enum64 => 12 * vlen,
                _ => throw new BtfFormatException($"invalid BTF: type [{id}] at byte {pos} has unknown kind {(int)kind}"),
            };
            if (end - pos < 12 + trailer) throw Truncated(id, pos, end);
            _offsets.Add(pos);
            pos += 12 + trailer;
        }
        if (_offsets.Count - 1 > 0xfffff) throw new BtfFormatException($"invalid BTF: {_offsets.Count - 1} types exceed the limit of {0xfffff}");
    }

    static BtfFormatException Truncated(int id, int pos, int end) =>
        new($"invalid BTF: type [{id}] at byte {pos} runs past the end of the type section (byte {end}); truncated?");

    void CreateTypes()
    {
        int count = _offsets.Count, first = _baseTypes.Count;
        _types = new BtfType?[count];
        for (int id = 0; id < first; id++) _types[id] = _baseTypes[id];
        for (int id = first; id < count; id++) _types[id] = CreateLeaf(id);
        var state = new byte[count];   // 0 = to do, 1 = on the stack, 2 = done (leaves are done)
        for (int id = 0; id < count; id++) if (_types[id] != null) state[id] = 2;
        var stack = new Stack<int>();
        for (int root = first; root < count; root++)
        {
            if (state[root] == 2) continue;
            stack.Push(root);
            state[root] = 1;
            while (stack.Count > 0)
            {
                int id = stack.Peek();
                int missing = -1;
                foreach (int dep in Dependencies(id))
                {
                    if (state[dep] == 2) continue;
                    if (state[dep] == 1)
                        throw new BtfFormatException($"invalid BTF: type [{id}] {Kind(id)} is part of a reference cycle through type [{dep}] that no struct or union breaks");
                    missing = dep;
                    break;
                }
                if (missing >= 0) { stack.Push(missing); state[missing] = 1; continue; }
                _types[id] = CreateReferring(id);
                state[id] = 2;
                stack.Pop();
            }
        }
        for (int id = first; id < count; id++)
            if (_types[id] is BtfStruct s) FillMembers(id, s);
    }

    /// <summary>Types that need no other type to exist first (struct/union members are filled later).</summary>
    BtfType? CreateLeaf(int id)
    {
        int at = _offsets[id] + 12;
        switch (Kind(id))
        {
            case BtfKind.Int:
            {
                uint word = U32(at);
                uint enc = (word >> 24) & 0x0f;
                int size = (int)SizeOrType(id);
                return new BtfInt(RequiredName(id), size, (enc & 1) != 0, (enc & 2) != 0, (enc & 4) != 0)
                {
                    Bits = (int)(word & 0xff),
                    BitOffset = (int)((word >> 16) & 0xff),
                };
            }
            case BtfKind.Struct: return new BtfStruct(OptionalName(id), SizeOrType(id), isUnion: false);
            case BtfKind.Union: return new BtfStruct(OptionalName(id), SizeOrType(id), isUnion: true);
            case BtfKind.Enum:
            case BtfKind.Enum64:
            {
                bool wide = Kind(id) == BtfKind.Enum64, signed = KindFlag(id);
                int n = Vlen(id), rec = wide ? 12 : 8;
                var values = new BtfEnumValue[n];
                for (int i = 0; i < n; i++)
                {
                    int e = at + i * rec;
                    uint lo = U32(e + 4);
                    long value = wide ? (long)(((ulong)U32(e + 8) << 32) | lo) : signed ? (int)lo : (long)lo;
                    values[i] = new BtfEnumValue(_strings.GetOrNull(U32(e), id) ?? "", value);
                }
                return new BtfEnum(OptionalName(id), SizeOrType(id), signed, values) { IsEnum64 = wide };
            }
            case BtfKind.Forward: return new BtfForward(RequiredName(id), KindFlag(id));
            case BtfKind.Float: return new BtfFloat(RequiredName(id), SizeOrType(id));
            default: return null;
        }
    }

    int CheckedId(int from, uint target)
    {
        if (target >= (uint)_offsets.Count)
            throw new BtfFormatException($"invalid BTF: type [{from}] {Kind(from)} refers to type [{target}], but only {_offsets.Count - 1} types exist");
        return (int)target;
    }

    IEnumerable<int> Dependencies(int id)
    {
        int at = _offsets[id] + 12;
        switch (Kind(id))
        {
            case BtfKind.Array:
                yield return CheckedId(id, U32(at));
                yield return CheckedId(id, U32(at + 4));
                break;
            case BtfKind.FuncProto:
                yield return CheckedId(id, SizeOrType(id));
                for (int i = 0; i < Vlen(id); i++) yield return CheckedId(id, U32(at + 8 * i + 4));
                break;
            case BtfKind.Datasec:
                for (int i = 0; i < Vlen(id); i++) yield return CheckedId(id, U32(at + 12 * i));
                break;
            default:
                yield return CheckedId(id, SizeOrType(id));
                break;
        }
    }

    BtfType Get(int from, uint target) => _types[CheckedId(from, target)]!;

    BtfType CreateReferring(int id)
    {
        int at = _offsets[id] + 12;
        var kind = Kind(id);
        switch (kind)
        {
            case BtfKind.Pointer: return new BtfPointer(Get(id, SizeOrType(id)));
            case BtfKind.Array:
                return new BtfArray(Get(id, U32(at)), U32(at + 8)) { IndexType = Get(id, U32(at + 4)) };
            case BtfKind.Typedef: return new BtfTypedef(RequiredName(id), Get(id, SizeOrType(id)));
            case BtfKind.Volatile: return new BtfQualifier(BtfQualifierKind.Volatile, Get(id, SizeOrType(id)));
            case BtfKind.Const: return new BtfQualifier(BtfQualifierKind.Const, Get(id, SizeOrType(id)));
            case BtfKind.Restrict: return new BtfQualifier(BtfQualifierKind.Restrict, Get(id, SizeOrType(id)));
            case BtfKind.Func:
            {
                if (Get(id, SizeOrType(id)) is not BtfFuncProto proto)
                    throw new BtfFormatException($"invalid BTF: FUNC [{id}] '{RequiredName(id)}' refers to type [{SizeOrType(id)}], which is not a FUNC_PROTO");
                int linkage = Vlen(id);
                if (linkage > 2) throw new BtfFormatException($"invalid BTF: FUNC [{id}] '{RequiredName(id)}' has unknown linkage {linkage}");
                return new BtfFunc(RequiredName(id), proto, (BtfFuncLinkage)linkage);
            }
            case BtfKind.FuncProto:
            {
                int n = Vlen(id);
                var ps = new BtfParameter[n];
                for (int i = 0; i < n; i++)
                    ps[i] = new BtfParameter(_strings.GetOrNull(U32(at + 8 * i), id), Get(id, U32(at + 8 * i + 4)));
                return new BtfFuncProto(Get(id, SizeOrType(id)), ps);
            }
            case BtfKind.Var:
            {
                uint linkage = U32(at);
                if (linkage > 2) throw new BtfFormatException($"invalid BTF: VAR [{id}] '{RequiredName(id)}' has unknown linkage {linkage}");
                return new BtfVar(RequiredName(id), Get(id, SizeOrType(id)), (BtfVarLinkage)linkage);
            }
            case BtfKind.Datasec:
            {
                int n = Vlen(id);
                var vars = new List<BtfVarSecInfo>(n);
                var functions = new List<BtfFunc>();
                for (int i = 0; i < n; i++)
                {
                    int e = at + 12 * i;
                    switch (Get(id, U32(e)))
                    {
                        case BtfVar v: vars.Add(new BtfVarSecInfo(v, U32(e + 4), U32(e + 8))); break;
                        case BtfFunc f: functions.Add(f); break;   // kfunc declarations in .ksyms
                        default:
                            throw new BtfFormatException($"invalid BTF: DATASEC [{id}] '{RequiredName(id)}' entry {i} refers to type [{U32(e)}], which is not a VAR or FUNC");
                    }
                }
                return new BtfDatasec(RequiredName(id), SizeOrType(id), vars) { Functions = functions };
            }
            case BtfKind.DeclTag: return new BtfTag(RequiredName(id), Get(id, SizeOrType(id)), isTypeTag: false, (int)U32(at));
            case BtfKind.TypeTag: return new BtfTag(RequiredName(id), Get(id, SizeOrType(id)), isTypeTag: true);
            default: throw new InvalidOperationException($"kind {kind} is not a referring kind");
        }
    }

    void FillMembers(int id, BtfStruct s)
    {
        int at = _offsets[id] + 12;
        bool kflag = KindFlag(id);
        int n = Vlen(id);
        s.Members.Capacity = n;
        for (int i = 0; i < n; i++)
        {
            int m = at + 12 * i;
            uint offset = U32(m + 8);
            s.Members.Add(new BtfMember(_strings.GetOrNull(U32(m), id), Get(id, U32(m + 4)),
                kflag ? offset & 0xffffff : offset, kflag ? offset >> 24 : 0));
        }
    }
}
