namespace Ebpf.Object;

// CONTRACT. Implementation: object helper (table follows libbpf's section_defs, see the spec §2.3).

/// <summary>What libbpf does with a program beyond its type (SEC_SLEEPABLE, SEC_XDP_FRAGS, SEC("?...")).</summary>
[Flags]
public enum ProgramSectionFlags
{
    None = 0,
    /// <summary>Load with BPF_F_SLEEPABLE (<c>uprobe.s</c>, <c>fentry.s</c>, <c>lsm.s</c>, <c>syscall</c>...).</summary>
    Sleepable = 1,
    /// <summary>Load with BPF_F_XDP_HAS_FRAGS (<c>xdp.frags</c>).</summary>
    XdpFrags = 2,
    /// <summary>The section name started with <c>?</c>: libbpf does not load the program unless asked.</summary>
    NoAutoLoad = 4,
    /// <summary>The attach target is a kernel BTF function or tracepoint, resolved at load time (attach_btf_id).</summary>
    AttachBtf = 8,
}

/// <summary>A classified program section: program type, expected attach type, attach target and load flags.</summary>
/// <param name="AttachTarget">The part after the section prefix (<c>syscalls/sys_enter_openat</c>), or null.</param>
public sealed record ProgramSection(ProgramType Type, AttachType ExpectedAttachType, string? AttachTarget, ProgramSectionFlags Flags);

/// <summary>libbpf's section-name conventions: section name &lt;-&gt; program type, expected attach type and attach target.</summary>
/// <remarks>Entries are tried in libbpf's order. A pattern ending in <c>+</c> matches the word alone or
/// <c>word/target</c>; one ending in <c>/</c> needs a target; any other must match exactly.</remarks>
public static class ProgramSections
{
    enum Match { Exact, WordOrTarget, TargetRequired }

    sealed record Definition(string Prefix, Match Match, ProgramType Type, AttachType AttachType, ProgramSectionFlags Flags = ProgramSectionFlags.None)
    {
        /// <summary>The first libbpf release that knows the section (the table's baseline is libbpf 1.1).</summary>
        public Version Libbpf { get; init; } = Baseline;
    }

    static readonly Version Baseline = new(1, 1);

    const ProgramSectionFlags Sleepable = ProgramSectionFlags.Sleepable;
    const ProgramSectionFlags Btf = ProgramSectionFlags.AttachBtf;

    static Definition E(string name, ProgramType t, AttachType a = AttachType.None, ProgramSectionFlags f = default) => new(name, Match.Exact, t, a, f);
    static Definition P(string word, ProgramType t, AttachType a = AttachType.None, ProgramSectionFlags f = default) => new(word, Match.WordOrTarget, t, a, f);

    // libbpf 1.1 section_defs in its order; entries with a Libbpf version come from later libbpf releases
    // (tcx, netkit, netfilter, uprobe.multi, kprobe.session) and are placed where those releases put them.
    static readonly Definition[] Definitions =
    {
        E("socket", ProgramType.SocketFilter),
        E("sk_reuseport/migrate", ProgramType.SkReuseport, AttachType.SkReuseportSelectOrMigrate),
        E("sk_reuseport", ProgramType.SkReuseport, AttachType.SkReuseportSelect),
        P("kprobe", ProgramType.Kprobe),
        P("uprobe", ProgramType.Kprobe),
        P("uprobe.s", ProgramType.Kprobe, f: Sleepable),
        P("kretprobe", ProgramType.Kprobe),
        P("uretprobe", ProgramType.Kprobe),
        P("uretprobe.s", ProgramType.Kprobe, f: Sleepable),
        P("kprobe.multi", ProgramType.Kprobe, AttachType.TraceKprobeMulti),
        P("kretprobe.multi", ProgramType.Kprobe, AttachType.TraceKprobeMulti),
        P("kprobe.session", ProgramType.Kprobe, AttachType.TraceKprobeSession) with { Libbpf = new(1, 5) },
        P("uprobe.multi", ProgramType.Kprobe, AttachType.TraceUprobeMulti) with { Libbpf = new(1, 3) },
        P("uretprobe.multi", ProgramType.Kprobe, AttachType.TraceUprobeMulti) with { Libbpf = new(1, 3) },
        P("uprobe.multi.s", ProgramType.Kprobe, AttachType.TraceUprobeMulti, Sleepable) with { Libbpf = new(1, 3) },
        P("uretprobe.multi.s", ProgramType.Kprobe, AttachType.TraceUprobeMulti, Sleepable) with { Libbpf = new(1, 3) },
        P("ksyscall", ProgramType.Kprobe),
        P("kretsyscall", ProgramType.Kprobe),
        P("usdt", ProgramType.Kprobe),
        E("tc/ingress", ProgramType.SchedCls, AttachType.TcxIngress) with { Libbpf = new(1, 3) },
        E("tc/egress", ProgramType.SchedCls, AttachType.TcxEgress) with { Libbpf = new(1, 3) },
        E("tcx/ingress", ProgramType.SchedCls, AttachType.TcxIngress) with { Libbpf = new(1, 3) },
        E("tcx/egress", ProgramType.SchedCls, AttachType.TcxEgress) with { Libbpf = new(1, 3) },
        E("tc", ProgramType.SchedCls),
        E("classifier", ProgramType.SchedCls),
        E("action", ProgramType.SchedAct),
        E("netkit/primary", ProgramType.SchedCls, AttachType.NetkitPrimary) with { Libbpf = new(1, 4) },
        E("netkit/peer", ProgramType.SchedCls, AttachType.NetkitPeer) with { Libbpf = new(1, 4) },
        P("tracepoint", ProgramType.Tracepoint),
        P("tp", ProgramType.Tracepoint),
        P("raw_tracepoint", ProgramType.RawTracepoint),
        P("raw_tp", ProgramType.RawTracepoint),
        P("raw_tracepoint.w", ProgramType.RawTracepointWritable),
        P("raw_tp.w", ProgramType.RawTracepointWritable),
        P("tp_btf", ProgramType.Tracing, AttachType.TraceRawTp, Btf),
        P("fentry", ProgramType.Tracing, AttachType.TraceFentry, Btf),
        P("fmod_ret", ProgramType.Tracing, AttachType.ModifyReturn, Btf),
        P("fexit", ProgramType.Tracing, AttachType.TraceFexit, Btf),
        P("fentry.s", ProgramType.Tracing, AttachType.TraceFentry, Btf | Sleepable),
        P("fmod_ret.s", ProgramType.Tracing, AttachType.ModifyReturn, Btf | Sleepable),
        P("fexit.s", ProgramType.Tracing, AttachType.TraceFexit, Btf | Sleepable),
        P("freplace", ProgramType.Ext, AttachType.None, Btf),
        P("lsm", ProgramType.Lsm, AttachType.LsmMac, Btf),
        P("lsm.s", ProgramType.Lsm, AttachType.LsmMac, Btf | Sleepable),
        P("lsm_cgroup", ProgramType.Lsm, AttachType.LsmCgroup, Btf),
        P("iter", ProgramType.Tracing, AttachType.TraceIter, Btf),
        P("iter.s", ProgramType.Tracing, AttachType.TraceIter, Btf | Sleepable),
        E("syscall", ProgramType.Syscall, f: Sleepable),
        E("xdp.frags/devmap", ProgramType.Xdp, AttachType.XdpDevmap, ProgramSectionFlags.XdpFrags),
        E("xdp/devmap", ProgramType.Xdp, AttachType.XdpDevmap),
        E("xdp.frags/cpumap", ProgramType.Xdp, AttachType.XdpCpumap, ProgramSectionFlags.XdpFrags),
        E("xdp/cpumap", ProgramType.Xdp, AttachType.XdpCpumap),
        E("xdp.frags", ProgramType.Xdp, AttachType.Xdp, ProgramSectionFlags.XdpFrags),
        E("xdp", ProgramType.Xdp, AttachType.Xdp),
        E("perf_event", ProgramType.PerfEvent),
        E("lwt_in", ProgramType.LwtIn),
        E("lwt_out", ProgramType.LwtOut),
        E("lwt_xmit", ProgramType.LwtXmit),
        E("lwt_seg6local", ProgramType.LwtSeg6Local),
        E("sockops", ProgramType.SockOps, AttachType.CgroupSockOps),
        E("sk_skb/stream_parser", ProgramType.SkSkb, AttachType.SkSkbStreamParser),
        E("sk_skb/stream_verdict", ProgramType.SkSkb, AttachType.SkSkbStreamVerdict),
        E("sk_skb", ProgramType.SkSkb),
        E("sk_msg", ProgramType.SkMsg, AttachType.SkMsgVerdict),
        E("lirc_mode2", ProgramType.LircMode2, AttachType.LircMode2),
        E("flow_dissector", ProgramType.FlowDissector, AttachType.FlowDissector),
        E("cgroup_skb/ingress", ProgramType.CgroupSkb, AttachType.CgroupInetIngress),
        E("cgroup_skb/egress", ProgramType.CgroupSkb, AttachType.CgroupInetEgress),
        E("cgroup/skb", ProgramType.CgroupSkb),
        E("cgroup/sock_create", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate),
        E("cgroup/sock_release", ProgramType.CgroupSock, AttachType.CgroupInetSockRelease),
        E("cgroup/sock", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate),
        E("cgroup/post_bind4", ProgramType.CgroupSock, AttachType.CgroupInet4PostBind),
        E("cgroup/post_bind6", ProgramType.CgroupSock, AttachType.CgroupInet6PostBind),
        E("cgroup/bind4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Bind),
        E("cgroup/bind6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Bind),
        E("cgroup/connect4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect),
        E("cgroup/connect6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Connect),
        E("cgroup/sendmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Sendmsg),
        E("cgroup/sendmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Sendmsg),
        E("cgroup/recvmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Recvmsg),
        E("cgroup/recvmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Recvmsg),
        E("cgroup/getpeername4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getpeername),
        E("cgroup/getpeername6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getpeername),
        E("cgroup/getsockname4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getsockname),
        E("cgroup/getsockname6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getsockname),
        E("cgroup/sysctl", ProgramType.CgroupSysctl, AttachType.CgroupSysctl),
        E("cgroup/getsockopt", ProgramType.CgroupSockopt, AttachType.CgroupGetsockopt),
        E("cgroup/setsockopt", ProgramType.CgroupSockopt, AttachType.CgroupSetsockopt),
        E("cgroup/dev", ProgramType.CgroupDevice, AttachType.CgroupDevice),
        P("struct_ops", ProgramType.StructOps),
        E("sk_lookup", ProgramType.SkLookup, AttachType.SkLookup),
        E("netfilter", ProgramType.Netfilter, AttachType.Netfilter) with { Libbpf = new(1, 3) },
    };

    /// <summary>Classifies a section name (<c>tracepoint/syscalls/sys_enter_openat</c> -&gt; Tracepoint, target <c>syscalls/sys_enter_openat</c>).
    /// Returns false for sections that are not programs.</summary>
    public static bool TryClassify(string sectionName, out ProgramType type, out AttachType attachType, out string? attachTarget)
    {
        if (TryClassify(sectionName, out var section))
        {
            (type, attachType, attachTarget) = (section.Type, section.ExpectedAttachType, section.AttachTarget);
            return true;
        }
        (type, attachType, attachTarget) = (ProgramType.Unspecified, AttachType.None, null);
        return false;
    }

    /// <summary>Classifies a section name with libbpf's load flags (sleepable, XDP frags, no auto-load).</summary>
    public static bool TryClassify(string sectionName, out ProgramSection section)
    {
        var flags = ProgramSectionFlags.None;
        var name = sectionName;
        if (name.StartsWith('?')) { flags |= ProgramSectionFlags.NoAutoLoad; name = name[1..]; }
        foreach (var d in Definitions)
        {
            if (!Matches(d, name, out var target)) continue;
            section = new ProgramSection(d.Type, d.AttachType, target, d.Flags | flags);
            return true;
        }
        section = null!;
        return false;
    }

    /// <summary>The first libbpf release that loads a program of this section name (1.1 for the sections
    /// libbpf 1.1 already knew), or null when no libbpf release knows it.</summary>
    public static Version? LibbpfVersion(string sectionName)
    {
        var name = sectionName.StartsWith('?') ? sectionName[1..] : sectionName;
        foreach (var d in Definitions)
            if (Matches(d, name, out _)) return d.Libbpf;
        return null;
    }

    /// <summary>Every section name libbpf accepts, in the form of its table (<c>kprobe+</c>, <c>xdp</c>), for error messages.</summary>
    public static IEnumerable<string> KnownPatterns => Definitions.Select(d => d.Match switch
    {
        Match.Exact => d.Prefix,
        Match.WordOrTarget => d.Prefix + "+",
        Match.TargetRequired => d.Prefix + "/",
        _ => throw new InvalidOperationException(),
    });

    static bool Matches(Definition d, string name, out string? target)
    {
        target = null;
        switch (d.Match)
        {
            case Match.Exact:
                return name == d.Prefix;
            case Match.TargetRequired:
                if (!name.StartsWith(d.Prefix + "/", StringComparison.Ordinal) || name.Length == d.Prefix.Length + 1) return false;
                target = name[(d.Prefix.Length + 1)..];
                return true;
            case Match.WordOrTarget:
                if (!name.StartsWith(d.Prefix, StringComparison.Ordinal)) return false;
                if (name.Length == d.Prefix.Length) return true;
                if (name[d.Prefix.Length] != '/') return false;
                target = name[(d.Prefix.Length + 1)..];
                if (target.Length == 0) target = null;
                return true;
            default:
                throw new InvalidOperationException($"unknown match kind {d.Match}");
        }
    }
}
