namespace Ebpf.Btf.Core;

/// <summary>Turns a relocation's access string (<c>0:1:2</c>) into a <see cref="CoreSpec"/> in the object's own BTF,
/// as libbpf's bpf_core_parse_spec does: the first index is an array index on the root type, then member indexes of
/// structs and unions (anonymous members add their offset but no accessor) and element indexes of arrays.</summary>
internal static class CoreSpecParser
{
    /// <summary>The local spec, or an error message saying what is wrong with the relocation record.</summary>
    public static CoreSpec Parse(BtfSpec btf, BtfCoreRelocation relocation, out string? error)
    {
        error = null;
        var root = relocation.Type;
        int rootId = btf.TryGetId(root, out int id) ? id : -1;
        var spec = new CoreSpec(btf, root, rootId, relocation.Kind);
        string access = relocation.AccessString;

        if (CoreKinds.IsTypeBased(relocation.Kind))
        {
            if (access != "0") error = $"a type relocation has access string '{access}' (expected '0')";
            return spec;
        }

        if (string.IsNullOrEmpty(access) || access[0] == ':') { error = $"access string '{access}' is malformed"; return spec; }
        foreach (var part in access.Split(':'))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, null, out int index))
            { error = $"access string '{access}' is malformed"; return spec; }
            if (spec.Raw.Count == CoreSpec.MaxLength) { error = $"access string '{access}' is deeper than {CoreSpec.MaxLength} steps"; return spec; }
            spec.Raw.Add(index);
        }

        var type = BtfLayout.SkipQualifiers(root);
        int first = spec.Raw[0];
        if (CoreKinds.IsEnumValueBased(relocation.Kind))
        {
            if (type is not BtfEnum e || spec.Raw.Count > 1 || first >= e.Values.Count)
            { error = $"enum value relocation '{access}' does not name an enumerator of {CoreTypeFacts.Describe(type)}"; return spec; }
            spec.Accessors.Add(new CoreAccessor(e, first, e.Values[first].Name));
            return spec;
        }
        if (!CoreKinds.IsFieldBased(relocation.Kind)) { error = $"unknown relocation kind {(uint)relocation.Kind}"; return spec; }

        spec.Accessors.Add(new CoreAccessor(type, first, null));
        long? size = CoreTypeFacts.SizeOf(type);
        if (size is null) { error = $"{CoreTypeFacts.Describe(type)} has no size"; return spec; }
        spec.BitOffset = first * size.Value * 8;

        BtfType current = type;
        for (int i = 1; i < spec.Raw.Count; i++)
        {
            current = BtfLayout.SkipQualifiers(current);
            int index = spec.Raw[i];
            switch (current)
            {
                case BtfStruct s:
                {
                    if (index >= s.Members.Count) { error = $"member index {index} is past the {s.Members.Count} members of {CoreTypeFacts.Describe(s)}"; return spec; }
                    var member = s.Members[index];
                    spec.BitOffset += member.BitOffset;
                    if (!string.IsNullOrEmpty(member.Name)) spec.Accessors.Add(new CoreAccessor(s, index, member.Name));
                    current = member.Type;
                    break;
                }
                case BtfArray a:
                {
                    var element = BtfLayout.SkipQualifiers(a.Element);
                    bool flexible = CoreTypeFacts.IsFlexibleArray(spec.Accessors[^1], a);
                    if (!flexible && index >= a.Count) { error = $"array index {index} is past the {a.Count} elements"; return spec; }
                    spec.Accessors.Add(new CoreAccessor(element, index, null));
                    long? elementSize = CoreTypeFacts.SizeOf(element);
                    if (elementSize is null) { error = $"array element {CoreTypeFacts.Describe(element)} has no size"; return spec; }
                    spec.BitOffset += index * elementSize.Value * 8;
                    current = element;
                    break;
                }
                default:
                    error = $"step {i} of '{access}' reaches {CoreTypeFacts.Describe(current)}, which is neither a struct, a union nor an array";
                    return spec;
            }
        }
        return spec;
    }

    /// <summary>The access written the way C spells it: <c>task_struct.real_parent.tgid</c>, <c>sk_buff.cb[2]</c>;
    /// anonymous members are passed through silently, as C does.</summary>
    public static string AccessPath(BtfCoreRelocation relocation)
    {
        var root = BtfLayout.SkipQualifiers(relocation.Type);
        string rootName = string.IsNullOrEmpty(relocation.Type.Name) ? CoreTypeFacts.Describe(root) : relocation.Type.Name!;
        if (CoreKinds.IsTypeBased(relocation.Kind)) return rootName;
        var parts = relocation.AccessString.Split(':');
        if (!parts.All(p => int.TryParse(p, out _))) return $"{rootName} ({relocation.AccessString})";
        var indexes = parts.Select(int.Parse).ToArray();
        if (CoreKinds.IsEnumValueBased(relocation.Kind))
            return root is BtfEnum e && indexes[0] < e.Values.Count ? $"{rootName}::{e.Values[indexes[0]].Name}" : $"{rootName} ({relocation.AccessString})";

        var text = new System.Text.StringBuilder(rootName);
        if (indexes[0] != 0) text.Append('[').Append(indexes[0]).Append(']');
        BtfType current = root;
        for (int i = 1; i < indexes.Length; i++)
        {
            current = BtfLayout.SkipQualifiers(current);
            if (current is BtfStruct s && indexes[i] < s.Members.Count)
            {
                var m = s.Members[indexes[i]];
                if (!string.IsNullOrEmpty(m.Name)) text.Append('.').Append(m.Name);
                current = m.Type;
            }
            else if (current is BtfArray a)
            {
                text.Append('[').Append(indexes[i]).Append(']');
                current = a.Element;
            }
            else return $"{text} ({relocation.AccessString})";
        }
        return text.ToString();
    }
}
