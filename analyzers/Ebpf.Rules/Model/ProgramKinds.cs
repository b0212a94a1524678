using Ebpf.Object;

namespace Ebpf.Rules.Model;

/// <summary>What each program attribute means to the kernel and to libbpf: program type, expected
/// attach type, section name, context parameter and return type (language.md §2, the object-format
/// reference §2.3 and §5.11).</summary>
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
    /// <summary>Metadata name of each program attribute.</summary>
    public static readonly IReadOnlyDictionary<string, ProgramKind> ByAttribute = new Dictionary<string, ProgramKind>
    {
        ["Ebpf.TracepointAttribute"] = ProgramKind.Tracepoint,
        ["Ebpf.RawTracepointAttribute"] = ProgramKind.RawTracepoint,
        ["Ebpf.TracepointBtfAttribute"] = ProgramKind.TracepointBtf,
        ["Ebpf.KprobeAttribute"] = ProgramKind.Kprobe,
        ["Ebpf.KretprobeAttribute"] = ProgramKind.Kretprobe,
        ["Ebpf.UprobeAttribute"] = ProgramKind.Uprobe,
        ["Ebpf.UretprobeAttribute"] = ProgramKind.Uretprobe,
        ["Ebpf.FentryAttribute"] = ProgramKind.Fentry,
        ["Ebpf.FexitAttribute"] = ProgramKind.Fexit,
        ["Ebpf.LsmAttribute"] = ProgramKind.Lsm,
        ["Ebpf.XdpAttribute"] = ProgramKind.Xdp,
        ["Ebpf.TcAttribute"] = ProgramKind.Tc,
        ["Ebpf.SocketFilterAttribute"] = ProgramKind.SocketFilter,
        ["Ebpf.CgroupSkbAttribute"] = ProgramKind.CgroupSkb,
        ["Ebpf.PerfEventAttribute"] = ProgramKind.PerfEvent,
    };

#pragma warning disable CS8524 // every named kind is listed; no default, so a new kind fails to compile here

    /// <summary>The kernel program type (BPF_PROG_TYPE_*).</summary>
    public static ProgramType TypeOf(ProgramKind kind) => kind switch
    {
        ProgramKind.Tracepoint => ProgramType.Tracepoint,
        ProgramKind.RawTracepoint => ProgramType.RawTracepoint,
        ProgramKind.TracepointBtf => ProgramType.Tracing,
        ProgramKind.Kprobe or ProgramKind.Kretprobe or ProgramKind.Uprobe or ProgramKind.Uretprobe => ProgramType.Kprobe,
        ProgramKind.Fentry or ProgramKind.Fexit => ProgramType.Tracing,
        ProgramKind.Lsm => ProgramType.Lsm,
        ProgramKind.Xdp => ProgramType.Xdp,
        ProgramKind.Tc => ProgramType.SchedCls,
        ProgramKind.SocketFilter => ProgramType.SocketFilter,
        ProgramKind.CgroupSkb => ProgramType.CgroupSkb,
        ProgramKind.PerfEvent => ProgramType.PerfEvent,
    };

    /// <summary>The context the program receives in R1.</summary>
    public static ContextKind ContextOf(ProgramKind kind) => kind switch
    {
        ProgramKind.Tracepoint => ContextKind.TracepointRecord,
        ProgramKind.RawTracepoint => ContextKind.RawTracepoint,
        ProgramKind.TracepointBtf or ProgramKind.Fentry or ProgramKind.Fexit or ProgramKind.Lsm => ContextKind.Tracing,
        ProgramKind.Kprobe or ProgramKind.Kretprobe or ProgramKind.Uprobe or ProgramKind.Uretprobe => ContextKind.PtRegs,
        ProgramKind.Xdp => ContextKind.Xdp,
        ProgramKind.Tc or ProgramKind.SocketFilter or ProgramKind.CgroupSkb => ContextKind.SkBuff,
        ProgramKind.PerfEvent => ContextKind.PerfEvent,
    };

    /// <summary>Metadata name of the context parameter's type (null for tracepoints: any unmanaged struct, passed <c>in</c>).</summary>
    public static string? ContextTypeName(ContextKind context) => context switch
    {
        ContextKind.TracepointRecord => null,
        ContextKind.PtRegs => "Ebpf.PtRegs",
        ContextKind.RawTracepoint => "Ebpf.RawTracepointContext",
        ContextKind.Tracing => "Ebpf.TracingContext",
        ContextKind.Xdp => "Ebpf.XdpContext",
        ContextKind.SkBuff => "Ebpf.SkBuffContext",
        ContextKind.PerfEvent => "Ebpf.PerfEventContext",
    };

    /// <summary>The kernel struct behind the context pointer (for the program's BTF prototype).</summary>
    public static string KernelContextStruct(ContextKind context) => context switch
    {
        ContextKind.TracepointRecord => "trace_event_raw",   // unused: the record's own struct is described
        ContextKind.PtRegs => "pt_regs",
        ContextKind.RawTracepoint => "bpf_raw_tracepoint_args",
        ContextKind.Tracing => "u64",                         // unused: BPF_PROG-style 'unsigned long long *ctx'
        ContextKind.Xdp => "xdp_md",
        ContextKind.SkBuff => "__sk_buff",
        ContextKind.PerfEvent => "bpf_perf_event_data",
    };

    /// <summary>Whether parameters after the context bind to the probed function's arguments
    /// (libbpf's BPF_KPROBE / BPF_PROG macros).</summary>
    public static bool TakesProbeArguments(ContextKind context) => context switch
    {
        ContextKind.PtRegs or ContextKind.RawTracepoint or ContextKind.Tracing => true,
        ContextKind.TracepointRecord or ContextKind.Xdp or ContextKind.SkBuff or ContextKind.PerfEvent => false,
    };

    /// <summary>Metadata name of the enum a program of this kind may return besides <c>int</c>, or null.</summary>
    public static string? VerdictTypeName(ProgramKind kind) => kind switch
    {
        ProgramKind.Xdp => "Ebpf.XdpAction",
        ProgramKind.Tc => "Ebpf.TcAction",
        ProgramKind.Tracepoint or ProgramKind.RawTracepoint or ProgramKind.TracepointBtf or ProgramKind.Kprobe or ProgramKind.Kretprobe
            or ProgramKind.Uprobe or ProgramKind.Uretprobe or ProgramKind.Fentry or ProgramKind.Fexit or ProgramKind.Lsm
            or ProgramKind.SocketFilter or ProgramKind.CgroupSkb or ProgramKind.PerfEvent => null,
    };

    /// <summary>The attribute's name as users write it (for messages).</summary>
    public static string AttributeName(ProgramKind kind) => kind switch
    {
        ProgramKind.Tracepoint => "[Tracepoint]",
        ProgramKind.RawTracepoint => "[RawTracepoint]",
        ProgramKind.TracepointBtf => "[TracepointBtf]",
        ProgramKind.Kprobe => "[Kprobe]",
        ProgramKind.Kretprobe => "[Kretprobe]",
        ProgramKind.Uprobe => "[Uprobe]",
        ProgramKind.Uretprobe => "[Uretprobe]",
        ProgramKind.Fentry => "[Fentry]",
        ProgramKind.Fexit => "[Fexit]",
        ProgramKind.Lsm => "[Lsm]",
        ProgramKind.Xdp => "[Xdp]",
        ProgramKind.Tc => "[Tc]",
        ProgramKind.SocketFilter => "[SocketFilter]",
        ProgramKind.CgroupSkb => "[CgroupSkb]",
        ProgramKind.PerfEvent => "[PerfEvent]",
    };

#pragma warning restore CS8524
}
