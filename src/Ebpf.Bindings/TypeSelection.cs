using Ebpf.Btf;

namespace Ebpf.Bindings;

/// <summary>Which types of a BTF graph a C# file defines: the requested ones, everything they contain by value
/// (members, array elements, enums), and the types they only point to as opaque declarations (an empty struct
/// with the kernel name, enough to pass the pointer on).</summary>
/// <remarks>Anonymous struct and union members are flattened into their parent (C lets <c>task->__state</c> reach
/// through them, and so does CO-RE), so they are walked, not defined. An anonymous type reached otherwise is
/// defined under a derived name: its typedef's (<c>atomic_t</c>), or its parent's and member's
/// (<c>sk_buff__headers</c>).</remarks>
public sealed class TypeSelection
{
    readonly Dictionary<BtfType, int> _order = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<(string, bool), BtfStruct> _definitions = new();
    readonly Dictionary<BtfType, string> _typedefNames = new(ReferenceEqualityComparer.Instance);
    readonly List<BtfType> _defined = new();
    readonly HashSet<BtfType> _definedSet = new(ReferenceEqualityComparer.Instance);
    readonly List<BtfType> _opaque = new();
    readonly HashSet<BtfType> _opaqueSet = new(ReferenceEqualityComparer.Instance);

    /// <summary>Names derived for anonymous types: the typedef naming them, or <c>parent__member</c>.</summary>
    internal Dictionary<BtfType, string> DerivedNames { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Anonymous types named by a typedef (<c>typedef struct { ... } atomic_t;</c>).</summary>
    internal IReadOnlyDictionary<BtfType, string> TypedefNames => _typedefNames;

    TypeSelection(IReadOnlyList<BtfType> universe)
    {
        for (int i = 0; i < universe.Count; i++)
        {
            var t = universe[i];
            _order.TryAdd(t, i);
            if (t is BtfStruct { Name: { Length: > 0 } name } s) _definitions.TryAdd((name, s.IsUnion), s);
            if (t is BtfTypedef { Name: { Length: > 0 } tdName } td && BtfTypes.SkipQualifiers(td.Target) is { } target
                && target is BtfStruct or BtfEnum && BtfTypes.IsAnonymous(target))
                _typedefNames.TryAdd(target, tdName);
        }
    }

    /// <summary>Types to define in full (structs, unions, enums), in the order they were reached.</summary>
    public IReadOnlyList<BtfType> Defined => _defined;

    /// <summary>Types only pointed to: defined as opaque structs (not also in <see cref="Defined"/>).</summary>
    public IEnumerable<BtfType> Opaque => _opaque.Where(t => !_definedSet.Contains(t));

    /// <summary>Position of a type in the BTF (its id), for a stable output order.</summary>
    public int OrderOf(BtfType t) => _order.TryGetValue(t, out int i) ? i : int.MaxValue;

    /// <summary>Every named struct, union and enum of <paramref name="universe"/> (bpftool's whole vmlinux.h).</summary>
    public static TypeSelection All(IReadOnlyList<BtfType> universe)
    {
        var selection = new TypeSelection(universe);
        foreach (var t in universe)
        {
            if (t is BtfStruct or BtfEnum && (!BtfTypes.IsAnonymous(t) || selection._typedefNames.ContainsKey(t)))
                selection.Walk(t, byValue: true, context: null);
        }
        foreach (var t in universe)
            if (t is BtfEnum e && BtfTypes.IsAnonymous(e) && !selection._typedefNames.ContainsKey(e))
                selection.AnonymousEnums.Add(e);
        return selection;
    }

    /// <summary>The types named <paramref name="names"/> (struct, union, enum or typedef names) with their dependencies;
    /// unknown names are returned in <paramref name="missing"/>.</summary>
    public static TypeSelection Named(IReadOnlyList<BtfType> universe, IEnumerable<string> names, out IReadOnlyList<string> missing)
    {
        var selection = new TypeSelection(universe);
        var byName = new Dictionary<string, List<BtfType>>(StringComparer.Ordinal);
        foreach (var t in universe)
            if (t is BtfStruct or BtfEnum or BtfTypedef && !BtfTypes.IsAnonymous(t))
                (byName.TryGetValue(t.Name!, out var l) ? l : byName[t.Name!] = new List<BtfType>()).Add(t);
        var notFound = new List<string>();
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var types)) { notFound.Add(name); continue; }
            // A name may be a tag and a typedef at once (typedef struct foo foo); the tag is the type.
            var type = types.FirstOrDefault(t => t is not BtfTypedef) ?? types[0];
            selection.Walk(type, byValue: true, context: null);
        }
        missing = notFound;
        return selection;
    }

    /// <summary><paramref name="roots"/> (any types: map keys and values, variables) with their dependencies.</summary>
    public static TypeSelection Roots(IReadOnlyList<BtfType> universe, IEnumerable<BtfType> roots)
    {
        var selection = new TypeSelection(universe);
        foreach (var root in roots) selection.Walk(root, byValue: true, context: null);
        return selection;
    }

    /// <summary>Anonymous enums (constants only): their values become constants.</summary>
    public List<BtfEnum> AnonymousEnums { get; } = new();

    void Walk(BtfType type, bool byValue, string? context)
    {
        var t = BtfTypes.SkipQualifiers(type);
        switch (t)
        {
            case BtfTypedef td:
                Walk(td.Target, byValue, BtfTypes.IsAnonymous(BtfTypes.SkipQualifiers(td.Target)) ? td.Name : context);
                return;
            case BtfPointer p:
                Walk(p.Target, byValue: false, context);
                return;
            case BtfArray a:
                Walk(a.Element, byValue, context);
                return;
            case BtfFuncProto proto:
                Walk(proto.ReturnType, byValue: false, null);
                foreach (var p in proto.Parameters) Walk(p.Type, byValue: false, null);
                return;
            case BtfForward f:
                if (_definitions.TryGetValue((f.Name!, f.IsUnion), out var definition)) Walk(definition, byValue, context);
                else AddOpaque(f);
                return;
            case BtfEnum e:
                if (BtfTypes.IsAnonymous(e) && !_typedefNames.ContainsKey(e))
                {
                    if (!AnonymousEnums.Contains(e)) AnonymousEnums.Add(e);
                    return;
                }
                Define(e);
                return;
            case BtfStruct s:
                // An anonymous type has no name to declare opaquely: it is defined even behind a pointer.
                if (!byValue && !BtfTypes.IsAnonymous(s)) { AddOpaque(s); return; }
                if (BtfTypes.IsAnonymous(s) && !_typedefNames.ContainsKey(s) && context is not null) DerivedNames.TryAdd(s, context);
                if (!Define(s)) return;
                WalkMembers(s, s);
                return;
        }
    }

    void WalkMembers(BtfStruct s, BtfStruct owner)
    {
        foreach (var m in s.Members)
        {
            if (string.IsNullOrEmpty(m.Name) && BtfTypes.SkipQualifiers(m.Type) is BtfStruct anonymous)
            {
                WalkMembers(anonymous, owner); // flattened
                continue;
            }
            Walk(m.Type, byValue: true, context: $"{ParentName(owner)}__{m.Name}");
        }
    }

    string ParentName(BtfStruct s) => s.Name is { Length: > 0 } n ? n
        : _typedefNames.TryGetValue(s, out var td) ? td
        : DerivedNames.TryGetValue(s, out var derived) ? derived : "anon";

    bool Define(BtfType t)
    {
        if (!_definedSet.Add(t)) return false;
        _defined.Add(t);
        return true;
    }

    void AddOpaque(BtfType t)
    {
        if (_opaqueSet.Add(t)) _opaque.Add(t);
    }
}
