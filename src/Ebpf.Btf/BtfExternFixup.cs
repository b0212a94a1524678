using System.Buffers.Binary;
using System.Text;
using Ebpf.Btf.Wire;

namespace Ebpf.Btf;

/// <summary>What libbpf does to an object's <c>.ksyms</c> DATASEC before BPF_BTF_LOAD: the kernel accepts only
/// allocated VARs in a DATASEC and no extern FUNC linkage, while clang describes kfuncs (<c>extern ... __ksym</c>) as
/// extern FUNCs listed in <c>.ksyms</c>. Each FUNC entry becomes a 4-byte dummy VAR (<c>dummy_ksym</c>, of a 32-bit
/// INT) and the FUNC itself global (unnamed parameters take the dummy's name, which the kernel requires of a global
/// function); each extern VAR (a typed ksym) becomes an allocated VAR of that INT. Ids of existing types do not change.</summary>
public static class BtfExternFixup
{
    const int KindInt = 1, KindVar = 14, EntrySize = 12, ParamSize = 8;
    const uint LinkageGlobal = 1;
    const string DummyName = "dummy_ksym";

    /// <summary>The spec to load into the kernel: <paramref name="btf"/> itself when it has no non-empty <c>.ksyms</c>.</summary>
    public static BtfSpec Apply(BtfSpec btf)
    {
        if (btf.FindType<BtfDatasec>(".ksyms") is not { } ksyms) return btf;
        int secRecord = btf.RecordOffset(btf.IdOf(ksyms));
        var header = BtfHeader.Read(btf.RawBytes);
        var types = btf.RawBytes.AsSpan(header.TypeStart, (int)header.TypeLength).ToArray();
        int At(int absolute) => absolute - header.TypeStart;
        int vlen = (int)(U32(types, At(secRecord) + 4) & 0xffff);
        if (vlen == 0) return btf;

        var strings = new List<byte>(btf.RawBytes.AsSpan(header.StringStart, (int)header.StringLength).ToArray());
        uint AddString(string s) { uint at = (uint)strings.Count; strings.AddRange(Encoding.UTF8.GetBytes(s)); strings.Add(0); return at; }
        var appended = new List<byte>();
        int nextId = btf.Types.Count;

        int intId = Enumerable.Range(1, btf.Types.Count - 1).FirstOrDefault(id => btf[id] is BtfInt { Bits: 32, BitOffset: 0 });
        if (intId == 0)
        {
            Append(appended, AddString("int"), KindInt << 24, 4, (1u << 24) | 32);   // signed, 32 bits
            intId = nextId++;
        }
        uint dummyName = AddString(DummyName);
        Append(appended, dummyName, KindVar << 24, (uint)intId, LinkageGlobal);
        int dummyId = nextId++;

        for (int i = 0; i < vlen; i++)
        {
            int entry = At(secRecord) + EntrySize + EntrySize * i;
            int typeId = (int)U32(types, entry);
            switch (btf.TryGetType(typeId, out var t) ? t : null)
            {
                case BtfFunc function:
                {
                    int record = At(btf.RecordOffset(typeId));
                    Put(types, record + 4, (U32(types, record + 4) & ~0xffffu) | LinkageGlobal);
                    int proto = At(btf.RecordOffset(btf.IdOf(function.Proto)));
                    for (int p = 0; p < function.Proto.Parameters.Count; p++)
                    {
                        int param = proto + 12 + ParamSize * p;
                        if (U32(types, param) == 0 && U32(types, param + 4) != 0) Put(types, param, dummyName);
                    }
                    Put(types, entry, (uint)dummyId);
                    break;
                }
                case BtfVar:
                {
                    int record = At(btf.RecordOffset(typeId));
                    Put(types, record + 8, (uint)intId);
                    Put(types, record + 12, LinkageGlobal);
                    break;
                }
                default:
                    throw new BtfFormatException($"DATASEC '.ksyms' entry {i} refers to type [{typeId}], which is neither a FUNC nor a VAR");
            }
            Put(types, entry + 4, (uint)(4 * i));
            Put(types, entry + 8, 4);
        }
        Put(types, At(secRecord) + 8, (uint)(4 * vlen));

        int typeLength = types.Length + appended.Count;
        var raw = new byte[BtfHeader.Size + typeLength + strings.Count];
        new BtfHeader(BtfHeader.Size, 0, (uint)typeLength, (uint)typeLength, (uint)strings.Count).Write(raw);
        types.CopyTo(raw, BtfHeader.Size);
        appended.CopyTo(raw, BtfHeader.Size + types.Length);
        strings.CopyTo(raw, BtfHeader.Size + typeLength);
        return btf.WithRaw(raw);
    }

    /// <summary>A type record with one extra 4-byte word (INT's encoding, VAR's linkage).</summary>
    static void Append(List<byte> into, uint name, uint info, uint sizeOrType, uint extra)
    {
        Span<byte> record = stackalloc byte[16];
        Put(record, 0, name);
        Put(record, 4, info);
        Put(record, 8, sizeOrType);
        Put(record, 12, extra);
        into.AddRange(record.ToArray());
    }

    static uint U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
    static void Put(Span<byte> bytes, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes[at..], value);
}
