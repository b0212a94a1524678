using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>One libbpf section of a program kind and the expected attach type that goes with it. For a kind
/// whose attribute names a target (<c>[Fentry("f")]</c>) the section is the prefix before <c>/target</c>.</summary>
public readonly record struct ProgramHook(string Section, AttachType Attach);

/// <summary>What one program attribute means to the kernel and to libbpf.</summary>
/// <param name="Attribute">Metadata name of the attribute.</param>
/// <param name="Hooks">The sections the attribute can give: one, or one per value of the enum that is the
/// attribute's first constructor argument (<c>[CgroupSock(CgroupSockHook.PostBind4)]</c>), in its order.</param>
/// <param name="Verdict">Metadata name of the enum the program may return besides <c>int</c>, or null.</param>
public sealed record ProgramKindInfo(ProgramKind Kind, string Attribute, ProgramType Type, ContextKind Context, string? Verdict, ProgramHook[] Hooks)
{
    /// <summary>The attribute as users write it (for messages): <c>[Fentry]</c>.</summary>
    public string DisplayName => "[" + Attribute.Substring("Ebpf.".Length, Attribute.Length - "Ebpf.".Length - "Attribute".Length) + "]";

    /// <summary>The hook an application of the attribute selects.</summary>
    public ProgramHook HookOf(AttributeData attribute)
    {
        if (Hooks.Length == 1) return Hooks[0];
        int index = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int value ? value : 0;
        return Hooks[index >= 0 && index < Hooks.Length ? index : 0];
    }
}

/// <summary>The table of program kinds: for each program attribute its program type, context, verdict
/// type and libbpf sections with their expected attach types (language.md, the object-format reference
/// §2.3 and §5.11). Every layer (discovery, the helper rules, the object writer, the accessor generator)
/// reads this table.</summary>
/// <remarks>
/// <para>tc programs: the section is <c>tcx/ingress</c> or <c>tcx/egress</c> (BPF_PROG_TYPE_SCHED_CLS with
/// expected attach type BPF_TCX_INGRESS/EGRESS), libbpf's names since 1.3 for the tcx hooks of Linux 6.6+.
/// The direction is part of the object, so a loader attaches it without being told. The older plain
/// <c>tc</c> section (the only one libbpf 1.1 knows) cannot say ingress or egress; an object with a tc
/// program therefore needs our runtime or libbpf ≥ 1.3 (bpftool 7.3+) to load.</para>
/// <para>uprobes without a target use the bare <c>uprobe</c>/<c>uretprobe</c> section (target given at
/// attach time), as libbpf allows.</para>
/// </remarks>
public static class ProgramKinds
{
    static ProgramHook H(string section, AttachType attach = AttachType.None) => new(section, attach);

    static readonly ProgramKindInfo[] Table =
    {
        new(ProgramKind.Tracepoint, "Ebpf.TracepointAttribute", ProgramType.Tracepoint, ContextKind.TracepointRecord, null, [H("tracepoint")]),
        new(ProgramKind.RawTracepoint, "Ebpf.RawTracepointAttribute", ProgramType.RawTracepoint, ContextKind.RawTracepoint, null, [H("raw_tp")]),
        new(ProgramKind.RawTracepointWritable, "Ebpf.RawTracepointWritableAttribute", ProgramType.RawTracepointWritable, ContextKind.RawTracepoint, null, [H("raw_tp.w")]),
        new(ProgramKind.TracepointBtf, "Ebpf.TracepointBtfAttribute", ProgramType.Tracing, ContextKind.Tracing, null, [H("tp_btf", AttachType.TraceRawTp)]),
        new(ProgramKind.Kprobe, "Ebpf.KprobeAttribute", ProgramType.Kprobe, ContextKind.PtRegs, null, [H("kprobe")]),
        new(ProgramKind.Kretprobe, "Ebpf.KretprobeAttribute", ProgramType.Kprobe, ContextKind.PtRegs, null, [H("kretprobe")]),
        new(ProgramKind.Uprobe, "Ebpf.UprobeAttribute", ProgramType.Kprobe, ContextKind.PtRegs, null, [H("uprobe")]),
        new(ProgramKind.Uretprobe, "Ebpf.UretprobeAttribute", ProgramType.Kprobe, ContextKind.PtRegs, null, [H("uretprobe")]),
        new(ProgramKind.Fentry, "Ebpf.FentryAttribute", ProgramType.Tracing, ContextKind.Tracing, null, [H("fentry", AttachType.TraceFentry)]),
        new(ProgramKind.Fexit, "Ebpf.FexitAttribute", ProgramType.Tracing, ContextKind.Tracing, null, [H("fexit", AttachType.TraceFexit)]),
        new(ProgramKind.Lsm, "Ebpf.LsmAttribute", ProgramType.Lsm, ContextKind.Tracing, null, [H("lsm", AttachType.LsmMac)]),
        new(ProgramKind.Iterator, "Ebpf.IteratorAttribute", ProgramType.Tracing, ContextKind.Tracing, null, [H("iter", AttachType.TraceIter)]),
        new(ProgramKind.Syscall, "Ebpf.SyscallAttribute", ProgramType.Syscall, ContextKind.TracepointRecord, null, [H("syscall")]),
        new(ProgramKind.Xdp, "Ebpf.XdpAttribute", ProgramType.Xdp, ContextKind.Xdp, "Ebpf.XdpAction", [H("xdp", AttachType.Xdp)]),
        new(ProgramKind.Tc, "Ebpf.TcAttribute", ProgramType.SchedCls, ContextKind.SkBuff, "Ebpf.TcAction",
            [H("tcx/ingress", AttachType.TcxIngress), H("tcx/egress", AttachType.TcxEgress)]),
        new(ProgramKind.SocketFilter, "Ebpf.SocketFilterAttribute", ProgramType.SocketFilter, ContextKind.SkBuff, null, [H("socket")]),
        new(ProgramKind.CgroupSkb, "Ebpf.CgroupSkbAttribute", ProgramType.CgroupSkb, ContextKind.SkBuff, null,
            [H("cgroup_skb/ingress", AttachType.CgroupInetIngress), H("cgroup_skb/egress", AttachType.CgroupInetEgress)]),
        new(ProgramKind.PerfEvent, "Ebpf.PerfEventAttribute", ProgramType.PerfEvent, ContextKind.PerfEvent, null, [H("perf_event")]),
        new(ProgramKind.SkMsg, "Ebpf.SkMsgAttribute", ProgramType.SkMsg, ContextKind.SkMsg, "Ebpf.SkAction", [H("sk_msg", AttachType.SkMsgVerdict)]),
        new(ProgramKind.SkSkb, "Ebpf.SkSkbAttribute", ProgramType.SkSkb, ContextKind.SkBuff, "Ebpf.SkAction",
            [H("sk_skb/stream_parser", AttachType.SkSkbStreamParser), H("sk_skb/stream_verdict", AttachType.SkSkbStreamVerdict)]),
        new(ProgramKind.SockOps, "Ebpf.SockOpsAttribute", ProgramType.SockOps, ContextKind.SockOps, null, [H("sockops", AttachType.CgroupSockOps)]),
        new(ProgramKind.CgroupSock, "Ebpf.CgroupSockAttribute", ProgramType.CgroupSock, ContextKind.Sock, null,
            [H("cgroup/sock_create", AttachType.CgroupInetSockCreate), H("cgroup/sock_release", AttachType.CgroupInetSockRelease),
             H("cgroup/post_bind4", AttachType.CgroupInet4PostBind), H("cgroup/post_bind6", AttachType.CgroupInet6PostBind)]),
        new(ProgramKind.CgroupSockAddr, "Ebpf.CgroupSockAddrAttribute", ProgramType.CgroupSockAddr, ContextKind.SockAddr, null,
            [H("cgroup/bind4", AttachType.CgroupInet4Bind), H("cgroup/bind6", AttachType.CgroupInet6Bind),
             H("cgroup/connect4", AttachType.CgroupInet4Connect), H("cgroup/connect6", AttachType.CgroupInet6Connect),
             H("cgroup/sendmsg4", AttachType.CgroupUdp4Sendmsg), H("cgroup/sendmsg6", AttachType.CgroupUdp6Sendmsg),
             H("cgroup/recvmsg4", AttachType.CgroupUdp4Recvmsg), H("cgroup/recvmsg6", AttachType.CgroupUdp6Recvmsg),
             H("cgroup/getpeername4", AttachType.CgroupInet4Getpeername), H("cgroup/getpeername6", AttachType.CgroupInet6Getpeername),
             H("cgroup/getsockname4", AttachType.CgroupInet4Getsockname), H("cgroup/getsockname6", AttachType.CgroupInet6Getsockname)]),
        new(ProgramKind.CgroupSysctl, "Ebpf.CgroupSysctlAttribute", ProgramType.CgroupSysctl, ContextKind.Sysctl, null, [H("cgroup/sysctl", AttachType.CgroupSysctl)]),
        new(ProgramKind.CgroupSockopt, "Ebpf.CgroupSockoptAttribute", ProgramType.CgroupSockopt, ContextKind.Sockopt, null,
            [H("cgroup/getsockopt", AttachType.CgroupGetsockopt), H("cgroup/setsockopt", AttachType.CgroupSetsockopt)]),
        new(ProgramKind.CgroupDevice, "Ebpf.CgroupDeviceAttribute", ProgramType.CgroupDevice, ContextKind.CgroupDevice, null, [H("cgroup/dev", AttachType.CgroupDevice)]),
        new(ProgramKind.SkLookup, "Ebpf.SkLookupAttribute", ProgramType.SkLookup, ContextKind.SkLookup, "Ebpf.SkAction", [H("sk_lookup", AttachType.SkLookup)]),
        new(ProgramKind.FlowDissector, "Ebpf.FlowDissectorAttribute", ProgramType.FlowDissector, ContextKind.SkBuff, null, [H("flow_dissector", AttachType.FlowDissector)]),
        new(ProgramKind.Netfilter, "Ebpf.NetfilterAttribute", ProgramType.Netfilter, ContextKind.Netfilter, null, [H("netfilter", AttachType.Netfilter)]),
    };

    static readonly Dictionary<ProgramKind, ProgramKindInfo> ByKind = Table.ToDictionary(r => r.Kind);

    /// <summary>Every program kind with its facts.</summary>
    public static IReadOnlyList<ProgramKindInfo> All => Table;

    /// <summary>Metadata name of each program attribute.</summary>
    public static readonly IReadOnlyDictionary<string, ProgramKind> ByAttribute = Table.ToDictionary(r => r.Attribute, r => r.Kind);

    public static ProgramKindInfo Info(ProgramKind kind) => ByKind[kind];

    /// <summary>The kernel program type (BPF_PROG_TYPE_*).</summary>
    public static ProgramType TypeOf(ProgramKind kind) => ByKind[kind].Type;

    /// <summary>The context the program receives in R1.</summary>
    public static ContextKind ContextOf(ProgramKind kind) => ByKind[kind].Context;

    /// <summary>Metadata name of the enum a program of this kind may return besides <c>int</c>, or null.</summary>
    public static string? VerdictTypeName(ProgramKind kind) => ByKind[kind].Verdict;

    /// <summary>The attribute's name as users write it (for messages).</summary>
    public static string AttributeName(ProgramKind kind) => ByKind[kind].DisplayName;

    /// <summary>The expected attach type an application of the attribute gives the program.</summary>
    public static AttachType ExpectedAttachType(ProgramKind kind, AttributeData attribute) => ByKind[kind].HookOf(attribute).Attach;

#pragma warning disable CS8524 // every named context is listed; no default, so a new context fails to compile here

    /// <summary>Metadata name of the context parameter's type (null for tracepoints and syscall programs: any
    /// unmanaged struct, passed <c>in</c>).</summary>
    public static string? ContextTypeName(ContextKind context) => context switch
    {
        ContextKind.TracepointRecord => null,
        ContextKind.PtRegs => "Ebpf.PtRegs",
        ContextKind.RawTracepoint => "Ebpf.RawTracepointContext",
        ContextKind.Tracing => "Ebpf.TracingContext",
        ContextKind.Xdp => "Ebpf.XdpContext",
        ContextKind.SkBuff => "Ebpf.SkBuffContext",
        ContextKind.PerfEvent => "Ebpf.PerfEventContext",
        ContextKind.Sock => "Ebpf.SockContext",
        ContextKind.SockAddr => "Ebpf.SockAddrContext",
        ContextKind.SockOps => "Ebpf.SockOpsContext",
        ContextKind.SkMsg => "Ebpf.SkMsgContext",
        ContextKind.SkLookup => "Ebpf.SkLookupContext",
        ContextKind.Sysctl => "Ebpf.SysctlContext",
        ContextKind.Sockopt => "Ebpf.SockoptContext",
        ContextKind.CgroupDevice => "Ebpf.CgroupDeviceContext",
        ContextKind.Netfilter => "Ebpf.NetfilterContext",
    };

    /// <summary>The kernel struct behind the context pointer (for the program's BTF prototype, and checked
    /// against the kernel's BTF by the tests).</summary>
    public static string KernelContextStruct(ContextKind context) => context switch
    {
        ContextKind.TracepointRecord => "trace_event_raw",   // unused: the record's own struct is described
        ContextKind.PtRegs => "pt_regs",
        ContextKind.RawTracepoint => "bpf_raw_tracepoint_args",
        ContextKind.Tracing => "u64",                         // unused: BPF_PROG-style 'unsigned long long *ctx'
        ContextKind.Xdp => "xdp_md",
        ContextKind.SkBuff => "__sk_buff",
        ContextKind.PerfEvent => "bpf_perf_event_data",
        ContextKind.Sock => "bpf_sock",
        ContextKind.SockAddr => "bpf_sock_addr",
        ContextKind.SockOps => "bpf_sock_ops",
        ContextKind.SkMsg => "sk_msg_md",
        ContextKind.SkLookup => "bpf_sk_lookup",
        ContextKind.Sysctl => "bpf_sysctl",
        ContextKind.Sockopt => "bpf_sockopt",
        ContextKind.CgroupDevice => "bpf_cgroup_dev_ctx",
        ContextKind.Netfilter => "bpf_nf_ctx",
    };

    /// <summary>Whether parameters after the context bind to the probed function's arguments
    /// (libbpf's BPF_KPROBE / BPF_PROG macros).</summary>
    public static bool TakesProbeArguments(ContextKind context) => context switch
    {
        ContextKind.PtRegs or ContextKind.RawTracepoint or ContextKind.Tracing => true,
        ContextKind.TracepointRecord or ContextKind.Xdp or ContextKind.SkBuff or ContextKind.PerfEvent or ContextKind.Sock
            or ContextKind.SockAddr or ContextKind.SockOps or ContextKind.SkMsg or ContextKind.SkLookup or ContextKind.Sysctl
            or ContextKind.Sockopt or ContextKind.CgroupDevice or ContextKind.Netfilter => false,
    };

#pragma warning restore CS8524
}
