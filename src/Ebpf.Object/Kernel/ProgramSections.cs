namespace Ebpf.Object;

// CONTRACT. Implementation: object helper (table follows libbpf's section_defs, see the spec §2.3).

/// <summary>libbpf's section-name conventions: section name &lt;-&gt; program type, expected attach type and attach target.</summary>
public static class ProgramSections
{
    /// <summary>Classifies a section name (<c>tracepoint/syscalls/sys_enter_openat</c> -&gt; Tracepoint, target <c>syscalls/sys_enter_openat</c>).
    /// Returns false for sections that are not programs.</summary>
    public static bool TryClassify(string sectionName, out ProgramType type, out AttachType attachType, out string? attachTarget)
        => throw new NotImplementedException();
}
