namespace Ebpf.Btf;

/// <summary>BTF_KIND_*: the kind field (bits 24-28) of a type record's info word (include/uapi/linux/btf.h).</summary>
public enum BtfKind : byte
{
    Void = 0, Int = 1, Pointer = 2, Array = 3, Struct = 4, Union = 5, Enum = 6, Forward = 7, Typedef = 8,
    Volatile = 9, Const = 10, Restrict = 11, Func = 12, FuncProto = 13, Var = 14, Datasec = 15, Float = 16,
    DeclTag = 17, TypeTag = 18, Enum64 = 19,
}

/// <summary>The wire kind of each model type.</summary>
public static class BtfKinds
{
    /// <summary>The kind a type is encoded as (ENUM vs ENUM64 follows <see cref="BtfEnum.IsEnum64"/> and the values).</summary>
    public static BtfKind Of(BtfType type) => type switch
    {
        BtfVoid => BtfKind.Void,
        BtfInt => BtfKind.Int,
        BtfPointer => BtfKind.Pointer,
        BtfArray => BtfKind.Array,
        BtfStruct s => s.IsUnion ? BtfKind.Union : BtfKind.Struct,
        BtfEnum e => NeedsEnum64(e) ? BtfKind.Enum64 : BtfKind.Enum,
        BtfForward => BtfKind.Forward,
        BtfTypedef => BtfKind.Typedef,
        BtfQualifier q => q.Kind switch
        {
            BtfQualifierKind.Volatile => BtfKind.Volatile,
            BtfQualifierKind.Const => BtfKind.Const,
            BtfQualifierKind.Restrict => BtfKind.Restrict,
            _ => throw new ArgumentOutOfRangeException(nameof(type), q.Kind, "unknown qualifier"),
        },
        BtfFunc => BtfKind.Func,
        BtfFuncProto => BtfKind.FuncProto,
        BtfVar => BtfKind.Var,
        BtfDatasec => BtfKind.Datasec,
        BtfFloat => BtfKind.Float,
        BtfTag t => t.IsTypeTag ? BtfKind.TypeTag : BtfKind.DeclTag,
        _ => throw new ArgumentException($"unknown BTF type class {type.GetType().Name}", nameof(type)),
    };

    /// <summary>ENUM64 when asked for, or when a value does not fit the 32-bit ENUM record.</summary>
    public static bool NeedsEnum64(BtfEnum e)
    {
        if (e.IsEnum64) return true;
        foreach (var v in e.Values)
            if (v.Value is < int.MinValue or > uint.MaxValue) return true;
        return false;
    }

    /// <summary>The types <paramref name="type"/> refers to directly, in encoding order (void included).</summary>
    public static IEnumerable<BtfType> References(BtfType type)
    {
        switch (type)
        {
            case BtfPointer p: yield return p.Target; break;
            case BtfArray a:
                yield return a.Element;
                if (a.IndexType != null) yield return a.IndexType;
                break;
            case BtfStruct s: foreach (var m in s.Members) yield return m.Type; break;
            case BtfTypedef t: yield return t.Target; break;
            case BtfQualifier q: yield return q.Target; break;
            case BtfFuncProto fp:
                yield return fp.ReturnType;
                foreach (var p in fp.Parameters) yield return p.Type;
                break;
            case BtfFunc f: yield return f.Proto; break;
            case BtfVar v: yield return v.Type; break;
            case BtfDatasec d:
                foreach (var v in d.Variables) yield return v.Var;
                foreach (var f in d.Functions) yield return f;
                break;
            case BtfTag t: yield return t.Target; break;
        }
    }
}
