namespace Ebpf.Runtime;

/// <summary>A program attached to a hook. Disposing the link detaches the program (unless the link is pinned,
/// which keeps it attached after this process lets go); <see cref="Detach"/> detaches even a pinned link.</summary>
public interface ILink : IDisposable
{
    /// <summary>What the program is attached to (<c>tracepoint syscalls/sys_enter_openat</c>, <c>xdp on eth0 (ifindex 2)</c>).</summary>
    string Target { get; }

    /// <summary>The attached program's name.</summary>
    string ProgramName { get; }

    /// <summary>Detaches now; then the same as <see cref="IDisposable.Dispose"/>.</summary>
    void Detach();
}

/// <summary>enum bpf_link_type.</summary>
public enum LinkType : uint
{
    Unspecified = 0, RawTracepoint = 1, Tracing = 2, Cgroup = 3, Iter = 4, Netns = 5, Xdp = 6, PerfEvent = 7,
    KprobeMulti = 8, StructOps = 9, Netfilter = 10, Tcx = 11, UprobeMulti = 12, Netkit = 13, SockMap = 14,
}

/// <summary>What the kernel reports about a BPF link (<c>struct bpf_link_info</c>).</summary>
public sealed record LinkInfo(uint Id, LinkType Type, uint ProgramId);
