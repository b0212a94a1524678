namespace Ebpf.Btf.Core;

/// <summary>Follows a local <see cref="CoreSpec"/> in a candidate target type (libbpf's bpf_core_spec_match): members
/// by name (searching through anonymous structs and unions), array elements by index, enumerators by essential name.</summary>
internal static class CoreSpecMatcher
{
    /// <summary>The target spec when the candidate matches the local access, else null.</summary>
    public static CoreSpec? Match(CoreSpec local, CoreCandidate candidate)
    {
        var target = new CoreSpec(candidate.Btf.Spec, candidate.Type, candidate.Id, local.Kind);
        if (CoreKinds.IsTypeBased(local.Kind))
        {
            bool ok = local.Kind == BtfCoreRelocationKind.TypeMatches
                ? CoreCompatibility.TypesMatch(local.Root, candidate.Type)
                : CoreCompatibility.TypesAreCompatible(local.Root, candidate.Type);
            return ok ? target : null;
        }

        var first = local.Accessors[0];
        if (CoreKinds.IsEnumValueBased(local.Kind))
        {
            if (BtfLayout.SkipQualifiers(candidate.Type) is not BtfEnum e) return null;
            for (int i = 0; i < e.Values.Count; i++)
            {
                if (!CoreNames.Match(first.Name, e.Values[i].Name) || string.IsNullOrEmpty(e.Values[i].Name)) continue;
                target.Accessors.Add(new CoreAccessor(e, i, e.Values[i].Name));
                target.Raw.Add(i);
                return target;
            }
            return null;
        }

        BtfType current = candidate.Type;
        for (int i = 0; i < local.Accessors.Count; i++)
        {
            var accessor = local.Accessors[i];
            if (accessor.Name is not null)
            {
                var localMember = ((BtfStruct)accessor.Type).Members[accessor.Index];
                var next = MatchMember(localMember, current, target);
                if (next is null) return null;
                current = next;
                continue;
            }
            if (i > 0)
            {
                if (BtfLayout.SkipQualifiers(current) is not BtfArray array) return null;
                bool flexible = CoreTypeFacts.IsFlexibleArray(target.Accessors[^1], array);
                if (!flexible && accessor.Index >= array.Count) return null;
                current = array.Element;
            }
            if (target.Raw.Count == CoreSpec.MaxLength) return null;
            current = BtfLayout.SkipQualifiers(current);
            target.Accessors.Add(new CoreAccessor(current, accessor.Index, null));
            target.Raw.Add(accessor.Index);
            long? size = CoreTypeFacts.SizeOf(current);
            if (size is null) return null;
            target.BitOffset += accessor.Index * size.Value * 8;
        }
        return target;
    }

    /// <summary>Finds the member named like <paramref name="localMember"/> in the struct or union <paramref name="type"/>
    /// or, depth-first, in its anonymous members; adds the raw steps and the accessor to <paramref name="target"/> and
    /// returns the member's type. Null when there is none, or the one found is of an incompatible type.</summary>
    static BtfType? MatchMember(BtfMember localMember, BtfType type, CoreSpec target)
    {
        if (BtfLayout.SkipQualifiers(type) is not BtfStruct s) return null;
        for (int i = 0; i < s.Members.Count; i++)
        {
            var m = s.Members[i];
            if (target.Raw.Count == CoreSpec.MaxLength) return null;
            target.BitOffset += m.BitOffset;
            target.Raw.Add(i);
            if (string.IsNullOrEmpty(m.Name))
            {
                var inner = MatchMember(localMember, m.Type, target);
                if (inner is not null) return inner;
            }
            else if (m.Name == localMember.Name)
            {
                if (!CoreCompatibility.FieldsAreCompatible(localMember.Type, m.Type)) return null;
                target.Accessors.Add(new CoreAccessor(s, i, m.Name));
                return m.Type;
            }
            target.BitOffset -= m.BitOffset;
            target.Raw.RemoveAt(target.Raw.Count - 1);
        }
        return null;
    }
}
