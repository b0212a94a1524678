using System.Text;

namespace Ebpf.Btf;

/// <summary>Prints a spec in the raw text format of <c>bpftool btf dump file X</c> (bpftool 7.x), so our
/// dumps and bpftool's can be compared line by line: <c>[1] PTR '(anon)' type_id=2</c>.</summary>
public static class BtfDump
{
    public static string Format(BtfSpec spec)
    {
        var sb = new StringBuilder();
        for (int id = 1; id < spec.Types.Count; id++)
        {
            if (id > 1) sb.Append('\n');
            AppendType(sb, spec, id);
        }
        return sb.ToString();
    }

    /// <summary>One type's entry (several lines for members, parameters, enumerators and section variables).</summary>
    public static string FormatType(BtfSpec spec, int id)
    {
        var sb = new StringBuilder();
        AppendType(sb, spec, id);
        return sb.ToString();
    }

    static void AppendType(StringBuilder sb, BtfSpec spec, int id)
    {
        var t = spec[id];
        int Id(BtfType x) => spec.IdOf(x);
        string N(string? name) => string.IsNullOrEmpty(name) ? "(anon)" : name;
        sb.Append('[').Append(id).Append("] ").Append(KindName(BtfKinds.Of(t))).Append(" '").Append(N(t.Name)).Append('\'');
        switch (t)
        {
            case BtfInt i:
                sb.Append($" size={i.Size} bits_offset={i.BitOffset} nr_bits={i.Bits} encoding=");
                sb.Append((i.IsSigned, i.IsChar, i.IsBool) switch
                {
                    (false, false, false) => "(none)",
                    (true, false, false) => "SIGNED",
                    (false, true, false) => "CHAR",
                    (false, false, true) => "BOOL",
                    _ => "UNKN",
                });
                break;
            case BtfPointer p: sb.Append($" type_id={Id(p.Target)}"); break;
            case BtfArray a:
                sb.Append($" type_id={Id(a.Element)} index_type_id={(a.IndexType != null ? Id(a.IndexType) : IndexTypeIdOf(spec))} nr_elems={a.Count}");
                break;
            case BtfStruct s:
                sb.Append($" size={s.Size} vlen={s.Members.Count}");
                foreach (var m in s.Members)
                {
                    sb.Append($"\n\t'{N(m.Name)}' type_id={Id(m.Type)} bits_offset={m.BitOffset}");
                    if (m.BitFieldSize != 0) sb.Append($" bitfield_size={m.BitFieldSize}");
                }
                break;
            case BtfEnum e:
                sb.Append($" encoding={(e.IsSigned ? "SIGNED" : "UNSIGNED")} size={e.Size} vlen={e.Values.Count}");
                bool wide = BtfKinds.NeedsEnum64(e);
                foreach (var v in e.Values)
                {
                    sb.Append($"\n\t'{N(v.Name)}' val=");
                    if (wide) sb.Append(e.IsSigned ? $"{v.Value}LL" : $"{(ulong)v.Value}ULL");
                    else sb.Append(e.IsSigned ? ((int)v.Value).ToString() : ((uint)v.Value).ToString());
                }
                break;
            case BtfForward f: sb.Append($" fwd_kind={(f.IsUnion ? "union" : "struct")}"); break;
            case BtfTypedef td: sb.Append($" type_id={Id(td.Target)}"); break;
            case BtfQualifier q: sb.Append($" type_id={Id(q.Target)}"); break;
            case BtfFunc fn: sb.Append($" type_id={Id(fn.Proto)} linkage={Linkage((int)fn.Linkage)}"); break;
            case BtfFuncProto fp:
                sb.Append($" ret_type_id={Id(fp.ReturnType)} vlen={fp.Parameters.Count}");
                foreach (var p in fp.Parameters) sb.Append($"\n\t'{N(p.Name)}' type_id={Id(p.Type)}");
                break;
            case BtfVar v: sb.Append($" type_id={Id(v.Type)}, linkage={Linkage((int)v.Linkage)}"); break;
            case BtfDatasec d:
                sb.Append($" size={d.Size} vlen={d.Variables.Count + d.Functions.Count}");
                foreach (var v in d.Variables)
                    sb.Append($"\n\ttype_id={Id(v.Var)} offset={v.Offset} size={v.Size} (VAR '{N(v.Var.Name)}')");
                foreach (var f in d.Functions)
                    sb.Append($"\n\ttype_id={Id(f)} offset=0 size=0 (FUNC '{N(f.Name)}')");
                break;
            case BtfFloat fl: sb.Append($" size={fl.Size}"); break;
            case BtfTag tag:
                sb.Append($" type_id={Id(tag.Target)}");
                if (!tag.IsTypeTag) sb.Append($" component_idx={tag.ComponentIndex}");
                break;
        }
    }

    static int IndexTypeIdOf(BtfSpec spec) =>
        spec.FindType<BtfInt>(BtfBuilder.ArrayIndexTypeName) is { } t ? spec.IdOf(t) : 0;

    static string Linkage(int linkage) => linkage switch { 0 => "static", 1 => "global", 2 => "extern", _ => "(unknown)" };

    /// <summary>bpftool's name of a kind (BTF_KIND_* without the prefix).</summary>
    public static string KindName(BtfKind kind) => kind switch
    {
        BtfKind.Void => "UNKNOWN",
        BtfKind.Int => "INT",
        BtfKind.Pointer => "PTR",
        BtfKind.Array => "ARRAY",
        BtfKind.Struct => "STRUCT",
        BtfKind.Union => "UNION",
        BtfKind.Enum => "ENUM",
        BtfKind.Forward => "FWD",
        BtfKind.Typedef => "TYPEDEF",
        BtfKind.Volatile => "VOLATILE",
        BtfKind.Const => "CONST",
        BtfKind.Restrict => "RESTRICT",
        BtfKind.Func => "FUNC",
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.Var => "VAR",
        BtfKind.Datasec => "DATASEC",
        BtfKind.Float => "FLOAT",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        BtfKind.Enum64 => "ENUM64",
        _ => $"KIND{(int)kind}",
    };
}
