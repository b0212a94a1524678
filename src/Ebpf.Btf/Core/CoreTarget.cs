using System.Runtime.CompilerServices;

namespace Ebpf.Btf.Core;

/// <summary>One BTF that CO-RE relocations resolve against: the kernel's (vmlinux) or a kernel module's (split BTF
/// on top of vmlinux, whose own types start at <see cref="FirstTypeId"/>).</summary>
public sealed class CoreTargetBtf(string name, BtfSpec spec, int firstTypeId = 1)
{
    // Kept per spec, so targets made again for the same parsed BTF (one per load) share the index.
    static readonly ConditionalWeakTable<BtfSpec, Index> Indexes = new();

    sealed record Index(int FirstTypeId, Dictionary<string, int[]> Ids);

    /// <summary>What the BTF describes: <c>vmlinux</c>, a module name, or a file name.</summary>
    public string Name { get; } = name;
    public BtfSpec Spec { get; } = spec;
    /// <summary>The first type id that belongs to this BTF (1 for vmlinux; the base's type count for split BTF).</summary>
    public int FirstTypeId { get; } = firstTypeId;

    /// <summary>Ids of the named types of this BTF (from <see cref="FirstTypeId"/>) whose essential name is
    /// <paramref name="essentialName"/>, in id order; the index is built once per spec.</summary>
    internal int[] IdsWithEssentialName(string essentialName)
    {
        var index = Indexes.GetValue(Spec, spec => new Index(FirstTypeId, BuildIndex(spec, FirstTypeId)));
        if (index.FirstTypeId != FirstTypeId) index = new Index(FirstTypeId, BuildIndex(Spec, FirstTypeId));
        return index.Ids.TryGetValue(essentialName, out var ids) ? ids : Array.Empty<int>();
    }

    static Dictionary<string, int[]> BuildIndex(BtfSpec spec, int firstTypeId)
    {
        var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int id = Math.Max(1, firstTypeId); spec.TryGetType(id, out var type); id++)
        {
            if (string.IsNullOrEmpty(type.Name)) continue;
            string key = CoreNames.Essential(type.Name);
            if (!lists.TryGetValue(key, out var list)) lists[key] = list = new List<int>(1);
            list.Add(id);
        }
        return lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>The BTF a program's CO-RE relocations resolve against: the kernel's, then kernel modules' (searched only
/// for types the kernel's BTF has no candidate for, as libbpf does).</summary>
/// <param name="kernel">The kernel's BTF (vmlinux, or a file standing for it).</param>
/// <param name="modules">Module BTF, enumerated on first need (only a type missing from <paramref name="kernel"/> needs it).</param>
public sealed class CoreTarget(CoreTargetBtf kernel, IEnumerable<CoreTargetBtf>? modules = null)
{
    readonly Lazy<IReadOnlyList<CoreTargetBtf>> _modules = new(() => modules?.ToList() ?? new List<CoreTargetBtf>());

    public CoreTargetBtf Kernel { get; } = kernel;
    /// <summary>Kernel modules' BTF (enumerating them the first time may parse every module's BTF).</summary>
    public IReadOnlyList<CoreTargetBtf> Modules => _modules.Value;
    /// <summary>True when module BTF may be searched.</summary>
    public bool HasModules { get; } = modules is not null;

    /// <summary>A target of one BTF (a kernel's vmlinux BTF, or a BTF file standing for it).</summary>
    public static CoreTarget Of(BtfSpec kernel, string name = "vmlinux") => new(new CoreTargetBtf(name, kernel));

    /// <summary>Candidates for <paramref name="local"/>: target types of a compatible kind whose essential name
    /// equals the local type's (flavor suffixes <c>___x</c> dropped on both sides).</summary>
    internal List<CoreCandidate> Candidates(BtfType local)
    {
        var found = new List<CoreCandidate>();
        if (string.IsNullOrEmpty(local.Name)) return found;
        string essential = CoreNames.Essential(local.Name);
        Add(Kernel, local, essential, found);
        if (found.Count > 0 || !HasModules) return found;
        foreach (var module in Modules) Add(module, local, essential, found);
        return found;
    }

    static void Add(CoreTargetBtf btf, BtfType local, string essential, List<CoreCandidate> found)
    {
        foreach (int id in btf.IdsWithEssentialName(essential))
        {
            btf.Spec.TryGetType(id, out var type);
            if (CoreTypeFacts.KindsCompatible(local, type)) found.Add(new CoreCandidate(btf, id, type));
        }
    }
}

/// <summary>A target type whose name and kind make it a candidate for a local type.</summary>
internal sealed record CoreCandidate(CoreTargetBtf Btf, int Id, BtfType Type);
