using System.Buffers.Binary;

namespace Ebpf.Btf.Wire;

// Every type record starts with struct btf_type (12 bytes), then a kind-specific trailer:
//
//   0            4                                   8
//   +------------+-----------------------------------+---------------------+
//   |  name_off  | info: kflag:1 _:2 kind:5 _:8 vlen:16 |  size or type id  |
//   +------------+-----------------------------------+---------------------+
//
// size for INT, ENUM, ENUM64, STRUCT, UNION, DATASEC, FLOAT; a type id for the rest.

/// <summary>Encodes model types as BTF type records, given the id of every referenced type.</summary>
internal static class BtfTypeWriter
{
    public const int MaxVlen = 0xffff;

    /// <summary>Size in bytes of the record <paramref name="type"/> encodes to.</summary>
    public static int RecordSize(BtfType type) => 12 + type switch
    {
        BtfInt => 4,
        BtfArray => 12,
        BtfStruct s => 12 * s.Members.Count,
        BtfEnum e => (BtfKinds.NeedsEnum64(e) ? 12 : 8) * e.Values.Count,
        BtfFuncProto fp => 8 * fp.Parameters.Count,
        BtfVar => 4,
        BtfDatasec d => 12 * (d.Variables.Count + d.Functions.Count),
        BtfTag t => t.IsTypeTag ? 0 : 4,
        _ => 0,
    };

    public static uint Info(BtfKind kind, int vlen, bool kflag)
    {
        if (vlen > MaxVlen) throw new InvalidOperationException($"BTF {kind} has {vlen} entries; the limit is {MaxVlen}");
        return (kflag ? 1u << 31 : 0) | ((uint)kind << 24) | (uint)vlen;
    }

    /// <summary>Writes one record at the start of <paramref name="dest"/>; returns its size.</summary>
    public static int Write(BtfType type, Span<byte> dest, Func<BtfType, int> idOf, BtfStringTable strings, int arrayIndexTypeId)
    {
        var kind = BtfKinds.Of(type);
        uint name = strings.Add(type.Name);
        if (name > BtfStringTable.MaxOffset) throw new InvalidOperationException($"BTF string area exceeds {BtfStringTable.MaxOffset} bytes");
        int pos = 12;
        uint info, sizeOrType;
        switch (type)
        {
            case BtfInt i:
                info = Info(kind, 0, false);
                sizeOrType = (uint)i.Size;
                uint enc = (i.IsSigned ? 1u : 0) | (i.IsChar ? 2u : 0) | (i.IsBool ? 4u : 0);
                U32(dest, ref pos, (enc << 24) | ((uint)i.BitOffset << 16) | (uint)i.Bits);
                break;
            case BtfPointer p:
                info = Info(kind, 0, false); sizeOrType = Id(p.Target, idOf); break;
            case BtfArray a:
                info = Info(kind, 0, false); sizeOrType = 0;
                U32(dest, ref pos, Id(a.Element, idOf));
                U32(dest, ref pos, a.IndexType != null ? Id(a.IndexType, idOf) : (uint)arrayIndexTypeId);
                U32(dest, ref pos, a.Count);
                break;
            case BtfStruct s:
                bool bitfields = s.Members.Any(m => m.BitFieldSize != 0);
                info = Info(kind, s.Members.Count, bitfields); sizeOrType = s.Size;
                foreach (var m in s.Members)
                {
                    U32(dest, ref pos, strings.Add(m.Name));
                    U32(dest, ref pos, Id(m.Type, idOf));
                    if (bitfields && (m.BitOffset > 0xffffff || m.BitFieldSize > 0xff))
                        throw new InvalidOperationException($"BTF {type}: member '{m.Name}' bit offset {m.BitOffset} or bit-field size {m.BitFieldSize} does not fit the kflag encoding");
                    U32(dest, ref pos, bitfields ? (m.BitFieldSize << 24) | m.BitOffset : m.BitOffset);
                }
                break;
            case BtfEnum e:
                info = Info(kind, e.Values.Count, e.IsSigned); sizeOrType = e.Size;
                bool wide = kind == BtfKind.Enum64;
                foreach (var v in e.Values)
                {
                    U32(dest, ref pos, strings.Add(v.Name));
                    U32(dest, ref pos, (uint)v.Value);
                    if (wide) U32(dest, ref pos, (uint)((ulong)v.Value >> 32));
                }
                break;
            case BtfForward f:
                info = Info(kind, 0, f.IsUnion); sizeOrType = 0; break;
            case BtfTypedef t:
                info = Info(kind, 0, false); sizeOrType = Id(t.Target, idOf); break;
            case BtfQualifier q:
                info = Info(kind, 0, false); sizeOrType = Id(q.Target, idOf); break;
            case BtfFunc f:
                info = Info(kind, (int)f.Linkage, false); sizeOrType = Id(f.Proto, idOf); break;
            case BtfFuncProto fp:
                info = Info(kind, fp.Parameters.Count, false); sizeOrType = Id(fp.ReturnType, idOf);
                foreach (var p in fp.Parameters)
                {
                    U32(dest, ref pos, strings.Add(p.Name));
                    U32(dest, ref pos, Id(p.Type, idOf));
                }
                break;
            case BtfVar v:
                info = Info(kind, 0, false); sizeOrType = Id(v.Type, idOf);
                U32(dest, ref pos, (uint)v.Linkage);
                break;
            case BtfDatasec d:
                info = Info(kind, d.Variables.Count + d.Functions.Count, false); sizeOrType = d.Size;
                foreach (var v in d.Variables)
                {
                    U32(dest, ref pos, Id(v.Var, idOf));
                    U32(dest, ref pos, v.Offset);
                    U32(dest, ref pos, v.Size);
                }
                foreach (var f in d.Functions)
                {
                    U32(dest, ref pos, Id(f, idOf));
                    U32(dest, ref pos, 0);
                    U32(dest, ref pos, 0);
                }
                break;
            case BtfFloat fl:
                info = Info(kind, 0, false); sizeOrType = fl.Size; break;
            case BtfTag tag:
                info = Info(kind, 0, false); sizeOrType = Id(tag.Target, idOf);
                if (!tag.IsTypeTag) U32(dest, ref pos, (uint)tag.ComponentIndex);
                break;
            default:
                throw new ArgumentException($"cannot encode {type}", nameof(type));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(dest, name);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], info);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], sizeOrType);
        return pos;
    }

    static uint Id(BtfType t, Func<BtfType, int> idOf) => t is BtfVoid ? 0u : (uint)idOf(t);

    static void U32(Span<byte> dest, ref int pos, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dest[pos..], value);
        pos += 4;
    }
}
