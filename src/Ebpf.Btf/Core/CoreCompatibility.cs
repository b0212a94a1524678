namespace Ebpf.Btf.Core;

/// <summary>When a local type may be relocated to a target type, by libbpf's three rules: loose type compatibility
/// (type-based relocations and candidate checks), field compatibility (the type of a matched member), and the strict
/// structural match of TYPE_MATCHES (<c>bpf_core_type_matches</c>).</summary>
public static class CoreCompatibility
{
    const int MaxDepth = 32;

    /// <summary>libbpf's bpf_core_types_are_compat: kinds agree through pointers, arrays and function prototypes;
    /// structs, unions, enums and forward declarations agree by kind alone (names were compared by the caller);
    /// integers agree unless one is a deprecated bit-shifted int; floats of one size.</summary>
    public static bool TypesAreCompatible(BtfType local, BtfType target) => TypesAreCompatible(local, target, MaxDepth);

    static bool TypesAreCompatible(BtfType local, BtfType target, int depth)
    {
        if (!CoreTypeFacts.KindsCompatible(local, target)) return false;
        while (true)
        {
            if (--depth < 0) return false;
            local = BtfLayout.SkipQualifiers(local);
            target = BtfLayout.SkipQualifiers(target);
            if (!CoreTypeFacts.KindsCompatible(local, target)) return false;
            switch (local)
            {
                case BtfVoid or BtfStruct or BtfEnum or BtfForward: return true;
                case BtfInt li: return li.BitOffset == 0 && ((BtfInt)target).BitOffset == 0;
                case BtfFloat lf: return lf.Size == ((BtfFloat)target).Size;
                case BtfPointer lp: local = lp.Target; target = ((BtfPointer)target).Target; continue;
                case BtfArray la: local = la.Element; target = ((BtfArray)target).Element; continue;
                case BtfFuncProto lf:
                {
                    var tf = (BtfFuncProto)target;
                    if (lf.Parameters.Count != tf.Parameters.Count) return false;
                    for (int i = 0; i < lf.Parameters.Count; i++)
                        // A parameter is compared as libbpf does, past typedefs and qualifiers (int against the kernel's s32).
                        if (!TypesAreCompatible(BtfLayout.SkipQualifiers(lf.Parameters[i].Type), BtfLayout.SkipQualifiers(tf.Parameters[i].Type), depth - 1)) return false;
                    local = lf.ReturnType;
                    target = tf.ReturnType;
                    continue;
                }
                default: return false;
            }
        }
    }

    /// <summary>libbpf's bpf_core_fields_are_compat: any two structs or unions; pointers and floats of any target;
    /// enums and forward declarations with the same essential name (or either anonymous); integers unless bit-shifted; arrays by element.</summary>
    public static bool FieldsAreCompatible(BtfType local, BtfType target)
    {
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            local = BtfLayout.SkipQualifiers(local);
            target = BtfLayout.SkipQualifiers(target);
            if (local is BtfStruct && target is BtfStruct) return true;
            if (!CoreTypeFacts.KindsCompatible(local, target)) return false;
            switch (local)
            {
                case BtfPointer or BtfFloat: return true;
                case BtfForward or BtfEnum:
                    // An anonymous one matches anything; named ones match up to flavors.
                    return string.IsNullOrEmpty(local.Name) || string.IsNullOrEmpty(target.Name) || CoreNames.Match(local.Name, target.Name);
                case BtfInt li: return li.BitOffset == 0 && ((BtfInt)target).BitOffset == 0;
                case BtfArray la: local = la.Element; target = ((BtfArray)target).Element; continue;
                default: return false;
            }
        }
        return false;
    }

    /// <summary>libbpf's bpf_core_types_match (TYPE_MATCHES): names agree up to flavors at every level; ints agree in
    /// bit width and signedness; enums of one size where every local enumerator exists in the target; structs and unions
    /// whose every local member has a target member of the same name and matching type; arrays of equal length;
    /// behind a pointer a struct or union also matches a forward declaration of the same kind.</summary>
    public static bool TypesMatch(BtfType local, BtfType target) => TypesMatch(local, target, behindPointer: false, MaxDepth);

    static bool TypesMatch(BtfType local, BtfType target, bool behindPointer, int depth)
    {
        while (true)
        {
            if (depth <= 0) return false;
            local = BtfLayout.SkipQualifiers(local);
            target = BtfLayout.SkipQualifiers(target);
            if (!CoreNames.Match(local.Name, target.Name)) return false;
            switch (local)
            {
                case BtfVoid: return target is BtfVoid;
                case BtfForward lfwd:
                    if (target is BtfForward tfwd) return lfwd.IsUnion == tfwd.IsUnion;
                    return behindPointer && target is BtfStruct tstruct && tstruct.IsUnion == lfwd.IsUnion;
                case BtfEnum le:
                    return target is BtfEnum te && EnumsMatch(le, te);
                case BtfStruct ls:
                    if (behindPointer)
                        return target switch
                        {
                            BtfStruct ts => ts.IsUnion == ls.IsUnion,
                            BtfForward tf => tf.IsUnion == ls.IsUnion,
                            _ => false,
                        };
                    return target is BtfStruct s && s.IsUnion == ls.IsUnion && CompositesMatch(ls, s, behindPointer, depth);
                case BtfInt li:
                    return target is BtfInt ti && li.Bits == ti.Bits && li.IsSigned == ti.IsSigned;
                case BtfPointer lp:
                    if (target is not BtfPointer tp) return false;
                    behindPointer = true;
                    local = lp.Target;
                    target = tp.Target;
                    continue;
                case BtfArray la:
                    if (target is not BtfArray ta || la.Count != ta.Count) return false;
                    local = la.Element;
                    target = ta.Element;
                    continue;
                case BtfFuncProto lf:
                {
                    if (target is not BtfFuncProto tf || lf.Parameters.Count != tf.Parameters.Count) return false;
                    for (int i = 0; i < lf.Parameters.Count; i++)
                        if (!TypesMatch(lf.Parameters[i].Type, tf.Parameters[i].Type, behindPointer, depth - 1)) return false;
                    local = lf.ReturnType;
                    target = tf.ReturnType;
                    continue;
                }
                default: return false;
            }
        }
    }

    static bool EnumsMatch(BtfEnum local, BtfEnum target)
    {
        if (local.Size != target.Size || local.Values.Count > target.Values.Count) return false;
        foreach (var value in local.Values)
            if (!target.Values.Any(t => CoreNames.Match(value.Name, t.Name))) return false;
        return true;
    }

    static bool CompositesMatch(BtfStruct local, BtfStruct target, bool behindPointer, int depth)
    {
        if (local.Members.Count > target.Members.Count) return false;
        foreach (var lm in local.Members)
        {
            bool matched = false;
            foreach (var tm in target.Members)
            {
                if (!CoreNames.Match(lm.Name, tm.Name)) continue;
                if (TypesMatch(lm.Type, tm.Type, behindPointer, depth - 1)) { matched = true; break; }
            }
            if (!matched) return false;
        }
        return true;
    }
}
