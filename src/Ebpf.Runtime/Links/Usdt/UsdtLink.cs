namespace Ebpf.Runtime;

/// <summary>A program attached to every site of one USDT probe: a uprobe per site (with the probe's semaphore as the
/// uprobe's reference counter), the sites' argument specs in the object's <c>__bpf_usdt_specs</c> map, and the spec id
/// as each link's BPF cookie. Disposing detaches every site and frees the spec slots.</summary>
public sealed class UsdtLink : ILink
{
    readonly UsdtSpecTable _table;
    readonly IReadOnlyList<int> _specIds;
    readonly IReadOnlyList<ulong> _addresses;
    bool _disposed;

    internal UsdtLink(UsdtSpecTable table, IReadOnlyList<PerfEventLink> links, IReadOnlyList<UsdtProbe> sites, IReadOnlyList<int> specIds,
        IReadOnlyList<ulong> addresses, string programName, string target)
    {
        _table = table;
        Links = links;
        Sites = sites;
        _specIds = specIds;
        _addresses = addresses;
        ProgramName = programName;
        Target = target;
    }

    /// <summary>One uprobe link per probe site, in the order of <see cref="Sites"/>.</summary>
    public IReadOnlyList<PerfEventLink> Links { get; }
    public IReadOnlyList<UsdtProbe> Sites { get; }
    public string ProgramName { get; }
    public string Target { get; }

    public void Detach() => Dispose();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var link in Links) link.Dispose();
        foreach (var address in _addresses) _table.UnmapAddress(address);
        foreach (int id in _specIds) _table.Remove(id);
    }

    public override string ToString() => $"{nameof(UsdtLink)}: program '{ProgramName}' on {Target} ({Links.Count} sites)";
}
