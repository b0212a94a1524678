using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>union bpf_attr</c> for BPF_LINK_CREATE. The union at 16 holds <c>perf_event.bpf_cookie</c>,
/// <c>tcx.relative_fd</c> + <c>tcx.expected_revision</c> (6.6+) or <c>target_btf_id</c>, depending on the attach type.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal struct LinkCreateAttr
{
    [FieldOffset(0)] public uint ProgFd;
    /// <summary>target_fd (perf event, cgroup) or target_ifindex (XDP, tcx).</summary>
    [FieldOffset(4)] public uint Target;
    [FieldOffset(8)] public uint AttachType;
    [FieldOffset(12)] public uint Flags;
    [FieldOffset(16)] public ulong PerfEventBpfCookie;
    [FieldOffset(16)] public uint TcxRelativeFd;
    [FieldOffset(24)] public ulong TcxExpectedRevision;
    /// <summary><c>netfilter.pf</c>, <c>hooknum</c>, <c>priority</c>, <c>flags</c> (6.4+).</summary>
    [FieldOffset(16)] public uint NetfilterPf;
    [FieldOffset(20)] public uint NetfilterHooknum;
    [FieldOffset(24)] public int NetfilterPriority;
    [FieldOffset(28)] public uint NetfilterFlags;
}

/// <summary><c>union bpf_attr</c> for BPF_LINK_DETACH.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct LinkDetachAttr
{
    [FieldOffset(0)] public uint LinkFd;
}

/// <summary><c>union bpf_attr</c> for BPF_RAW_TRACEPOINT_OPEN.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct RawTracepointOpenAttr
{
    [FieldOffset(0)] public ulong Name;
    [FieldOffset(8)] public uint ProgFd;
    [FieldOffset(16)] public ulong Cookie;
}

/// <summary><c>union bpf_attr</c> for BPF_ITER_CREATE.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct IterCreateAttr
{
    [FieldOffset(0)] public uint LinkFd;
    [FieldOffset(4)] public uint Flags;
}
