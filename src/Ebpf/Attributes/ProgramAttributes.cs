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

/// <summary>A writable raw tracepoint (BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, section <c>raw_tp.w/NAME</c>): may write
/// the tracepoint's writable buffer argument (the <c>bpf_test_finish</c>, <c>nbd_send_request</c> tracepoints).</summary>
public sealed class RawTracepointWritableAttribute(string name) : ProgramAttribute { /// <summary>The tracepoint name.</summary>
    public string Name { get; } = name; }

/// <summary>A BPF iterator (BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, section <c>iter/TARGET</c>): runs once per
/// object (task, bpf_map, tcp socket...) when user space reads the iterator's file.</summary>
/// <remarks>The context's argument 0 is the <c>bpf_iter_meta*</c>, argument 1 the object (null once, at the end).</remarks>
public sealed class IteratorAttribute(string target) : ProgramAttribute { /// <summary>The iterator target (<c>task</c>, <c>bpf_map</c>, <c>tcp</c>...).</summary>
    public string Target { get; } = target; }

/// <summary>A syscall program (BPF_PROG_TYPE_SYSCALL, section <c>syscall</c>): run by user space with
/// BPF_PROG_TEST_RUN, its context an argument struct it may read and write; loaded sleepable.</summary>
public sealed class SyscallAttribute : ProgramAttribute { }

/// <summary>What an sk_msg, sk_skb or sk_lookup program decides (SK_DROP, SK_PASS).</summary>
public enum SkAction { Drop = 0, Pass = 1 }

/// <summary>An sk_msg verdict program (BPF_PROG_TYPE_SK_MSG, section <c>sk_msg</c>), attached to a sockmap or sockhash:
/// runs for each sendmsg on a socket in the map.</summary>
public sealed class SkMsgAttribute : ProgramAttribute { }

/// <summary>Which sk_skb hook of a sockmap a program is (the order of the sections).</summary>
public enum SkSkbHook { StreamParser, StreamVerdict }

/// <summary>An sk_skb program (BPF_PROG_TYPE_SK_SKB, section <c>sk_skb/stream_parser</c> or <c>sk_skb/stream_verdict</c>),
/// attached to a sockmap or sockhash.</summary>
public sealed class SkSkbAttribute(SkSkbHook hook) : ProgramAttribute { /// <summary>Parser or verdict.</summary>
    public SkSkbHook Hook { get; } = hook; }

/// <summary>A sockops program (BPF_PROG_TYPE_SOCK_OPS, section <c>sockops</c>), attached to a cgroup: runs at TCP events
/// (connection established, RTO, ...).</summary>
public sealed class SockOpsAttribute : ProgramAttribute { }

/// <summary>Which socket event of a cgroup a <see cref="CgroupSockAttribute"/> program runs at (the order of the sections).</summary>
public enum CgroupSockHook { Create, Release, PostBind4, PostBind6 }

/// <summary>A cgroup sock program (BPF_PROG_TYPE_CGROUP_SOCK, section <c>cgroup/sock_create</c>, <c>cgroup/sock_release</c>,
/// <c>cgroup/post_bind4</c>, <c>cgroup/post_bind6</c>); return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSockAttribute(CgroupSockHook hook) : ProgramAttribute { /// <summary>The socket event.</summary>
    public CgroupSockHook Hook { get; } = hook; }

/// <summary>Which socket-address call a <see cref="CgroupSockAddrAttribute"/> program runs at (the order of the sections).</summary>
public enum SockAddrHook
{
    Bind4, Bind6, Connect4, Connect6, Sendmsg4, Sendmsg6, Recvmsg4, Recvmsg6,
    Getpeername4, Getpeername6, Getsockname4, Getsockname6,
}

/// <summary>A cgroup sock_addr program (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, sections <c>cgroup/connect4</c>, <c>cgroup/bind6</c>...):
/// may rewrite the address of the call; return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSockAddrAttribute(SockAddrHook hook) : ProgramAttribute { /// <summary>The call.</summary>
    public SockAddrHook Hook { get; } = hook; }

/// <summary>A cgroup sysctl program (BPF_PROG_TYPE_CGROUP_SYSCTL, section <c>cgroup/sysctl</c>); return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSysctlAttribute : ProgramAttribute { }

/// <summary>Which socket-option call a <see cref="CgroupSockoptAttribute"/> program runs at.</summary>
public enum SockoptHook { Get, Set }

/// <summary>A cgroup sockopt program (BPF_PROG_TYPE_CGROUP_SOCKOPT, section <c>cgroup/getsockopt</c> or <c>cgroup/setsockopt</c>);
/// return 1 to allow, 0 to refuse.</summary>
public sealed class CgroupSockoptAttribute(SockoptHook hook) : ProgramAttribute { /// <summary>Get or set.</summary>
    public SockoptHook Hook { get; } = hook; }

/// <summary>A cgroup device program (BPF_PROG_TYPE_CGROUP_DEVICE, section <c>cgroup/dev</c>); return 1 to allow the access, 0 to refuse.</summary>
public sealed class CgroupDeviceAttribute : ProgramAttribute { }

/// <summary>A socket lookup program (BPF_PROG_TYPE_SK_LOOKUP, section <c>sk_lookup</c>), attached to a network namespace:
/// picks the socket an incoming connection or datagram goes to.</summary>
public sealed class SkLookupAttribute : ProgramAttribute { }

/// <summary>A flow dissector (BPF_PROG_TYPE_FLOW_DISSECTOR, section <c>flow_dissector</c>), attached to a network namespace;
/// returns BPF_OK (0) or BPF_DROP (2).</summary>
public sealed class FlowDissectorAttribute : ProgramAttribute { }

/// <summary>A netfilter hook (BPF_PROG_TYPE_NETFILTER, section <c>netfilter</c>); returns NF_DROP (0) or NF_ACCEPT (1).</summary>
public sealed class NetfilterAttribute : ProgramAttribute { }
