namespace Ebpf;

// CONTRACT: names and constructor shapes are fixed by shared/spec/language.md §2. The compiler
// reads them by metadata name; the kernel-API helper documents them.

/// <summary>Base of every program attribute: marks a static method as an eBPF program.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public abstract class ProgramAttribute : Attribute { }

/// <summary>A tracepoint program (BPF_PROG_TYPE_TRACEPOINT, section <c>tracepoint/CATEGORY/NAME</c>).</summary>
public sealed class TracepointAttribute(string category, string name) : ProgramAttribute
{
    /// <summary>The tracepoint's category (the directory under /sys/kernel/tracing/events).</summary>
    public string Category { get; } = category;
    /// <summary>The tracepoint's name.</summary>
    public string Name { get; } = name;
}

/// <summary>A raw tracepoint program (BPF_PROG_TYPE_RAW_TRACEPOINT, section <c>raw_tp/NAME</c>).</summary>
public sealed class RawTracepointAttribute(string name) : ProgramAttribute { /// <summary>The tracepoint name.</summary>
    public string Name { get; } = name; }

/// <summary>A BTF-enabled tracepoint (BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, section <c>tp_btf/NAME</c>).</summary>
public sealed class TracepointBtfAttribute(string name) : ProgramAttribute { /// <summary>The BTF tracepoint name (btf_trace_NAME).</summary>
    public string Name { get; } = name; }

/// <summary>A kprobe (BPF_PROG_TYPE_KPROBE, section <c>kprobe/FUNC</c>).</summary>
public sealed class KprobeAttribute(string function) : ProgramAttribute { /// <summary>The kernel function attached to.</summary>
    public string Function { get; } = function; }

/// <summary>A kretprobe (BPF_PROG_TYPE_KPROBE, section <c>kretprobe/FUNC</c>).</summary>
public sealed class KretprobeAttribute(string function) : ProgramAttribute { /// <summary>The kernel function attached to.</summary>
    public string Function { get; } = function; }

/// <summary>A uprobe (section <c>uprobe/BINARY:SYMBOL</c>, or <c>uprobe</c> when the target is given at run time).</summary>
public sealed class UprobeAttribute(string? binary = null, string? symbol = null) : ProgramAttribute
{
    /// <summary>The binary or library path, or null when given at attach time.</summary>
    public string? Binary { get; } = binary;
    /// <summary>The function symbol in it, or null when given at attach time.</summary>
    public string? Symbol { get; } = symbol;
}

/// <summary>A uretprobe (section <c>uretprobe/BINARY:SYMBOL</c> or <c>uretprobe</c>).</summary>
public sealed class UretprobeAttribute(string? binary = null, string? symbol = null) : ProgramAttribute
{
    /// <summary>The binary or library path, or null when given at attach time.</summary>
    public string? Binary { get; } = binary;
    /// <summary>The function symbol in it, or null when given at attach time.</summary>
    public string? Symbol { get; } = symbol;
}

/// <summary>An fentry program (BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, section <c>fentry/FUNC</c>).</summary>
public sealed class FentryAttribute(string function) : ProgramAttribute { /// <summary>The kernel function attached to.</summary>
    public string Function { get; } = function; }

/// <summary>An fexit program (BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, section <c>fexit/FUNC</c>).</summary>
public sealed class FexitAttribute(string function) : ProgramAttribute { /// <summary>The kernel function attached to.</summary>
    public string Function { get; } = function; }

/// <summary>An LSM program (BPF_PROG_TYPE_LSM, section <c>lsm/HOOK</c>).</summary>
public sealed class LsmAttribute(string hook) : ProgramAttribute { /// <summary>The LSM hook (e.g. <c>file_open</c>).</summary>
    public string Hook { get; } = hook; }

/// <summary>An XDP program (BPF_PROG_TYPE_XDP, section <c>xdp</c>).</summary>
public sealed class XdpAttribute : ProgramAttribute { }

/// <summary>Which path of an interface a tc program attaches to.</summary>
public enum TcDirection { Ingress, Egress }

/// <summary>A tc classifier (BPF_PROG_TYPE_SCHED_CLS, section <c>tc</c>, or <c>tcx/ingress</c>/<c>tcx/egress</c>).</summary>
public sealed class TcAttribute(TcDirection direction) : ProgramAttribute { /// <summary>Ingress or egress.</summary>
    public TcDirection Direction { get; } = direction; }

/// <summary>A socket filter (BPF_PROG_TYPE_SOCKET_FILTER, section <c>socket</c>).</summary>
public sealed class SocketFilterAttribute : ProgramAttribute { }

/// <summary>Which direction of a cgroup's traffic a cgroup_skb program sees.</summary>
public enum CgroupSkbDirection { Ingress, Egress }

/// <summary>A cgroup skb program (BPF_PROG_TYPE_CGROUP_SKB, section <c>cgroup_skb/ingress|egress</c>).</summary>
public sealed class CgroupSkbAttribute(CgroupSkbDirection direction) : ProgramAttribute { /// <summary>Ingress or egress.</summary>
    public CgroupSkbDirection Direction { get; } = direction; }

/// <summary>A perf event program (BPF_PROG_TYPE_PERF_EVENT, section <c>perf_event</c>).</summary>
public sealed class PerfEventAttribute : ProgramAttribute { }
