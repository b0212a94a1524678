using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

public sealed unsafe partial class Program
{
    /// <summary>Attaches where the program's section says (libbpf's auto-attach): <c>tracepoint/CAT/NAME</c>,
    /// <c>raw_tp/NAME</c>, <c>kprobe/FUNC</c>, <c>kretprobe/FUNC</c>, <c>uprobe/BINARY:FUNC</c>, <c>uretprobe/BINARY:FUNC</c>,
    /// <c>usdt/BINARY:PROVIDER:NAME</c>.
    /// sk_lookup and flow dissector programs attach to this process's network namespace.
    /// Programs whose target is only known at run time (XDP and tc need an interface) say which method to call.</summary>
    public ILink Attach()
    {
        string? target = Spec.AttachTarget;
        ILink NeedTarget(string example) => throw new InvalidOperationException(
            $"program '{Name}' (section '{SectionName}') names no attach target; expected e.g. {example}, or call the Attach* method with a target");
        return Type switch
        {
            ProgramType.Tracepoint => target?.Split('/') is [var category, var name]
                ? AttachTracepoint(category, name)
                : NeedTarget("tracepoint/syscalls/sys_enter_openat"),
            ProgramType.RawTracepoint or ProgramType.RawTracepointWritable => target is { Length: > 0 }
                ? AttachRawTracepoint(target)
                : NeedTarget("raw_tp/sys_enter"),
            ProgramType.Kprobe => AttachProbeFromSection(target),
            ProgramType.Tracing when ExpectedAttachType == AttachType.TraceRawTp => AttachBtfTracepoint(),
            ProgramType.Tracing when ExpectedAttachType is AttachType.TraceFentry or AttachType.TraceFexit or AttachType.ModifyReturn
                => TracingLink.Attach(this),
            ProgramType.Lsm when ExpectedAttachType == AttachType.LsmMac => TracingLink.Attach(this),
            ProgramType.Tracing when ExpectedAttachType == AttachType.TraceIter => IteratorLink.Attach(this),
            ProgramType.Xdp => throw new InvalidOperationException($"XDP program '{Name}' needs a network interface: call AttachXdp(interfaceName or ifindex)"),
            ProgramType.SchedCls when ExpectedAttachType is AttachType.NetkitPrimary or AttachType.NetkitPeer
                => throw new InvalidOperationException($"netkit program '{Name}' needs a netkit device: call AttachNetkit(primaryInterfaceName, NetkitSide.{(ExpectedAttachType == AttachType.NetkitPeer ? "Peer" : "Primary")})"),
            ProgramType.SchedCls => throw new InvalidOperationException($"tc program '{Name}' needs a network interface and direction: call AttachTcx(interfaceName, TcxDirection.Ingress)"),
            ProgramType.SocketFilter => throw new InvalidOperationException($"socket filter program '{Name}' needs a socket: call AttachSocket(socket)"),
            ProgramType.CgroupSkb or ProgramType.CgroupSock or ProgramType.CgroupSockAddr or ProgramType.SockOps
                or ProgramType.CgroupDevice or ProgramType.CgroupSysctl or ProgramType.CgroupSockopt
                => throw new InvalidOperationException($"cgroup program '{Name}' needs a cgroup: call AttachCgroup(cgroupDirectory)"),
            ProgramType.PerfEvent => throw new InvalidOperationException($"perf_event program '{Name}' needs an event to sample: call AttachPerfEvent(PerfEventSource.CpuClock(99))"),
            ProgramType.SkLookup or ProgramType.FlowDissector => AttachNetns(),
            ProgramType.SkSkb or ProgramType.SkMsg => throw new InvalidOperationException($"{Type} program '{Name}' needs a sockmap or sockhash: call AttachSockMap(map)"),
            ProgramType.Netfilter => throw new InvalidOperationException($"netfilter program '{Name}' needs a hook: call AttachNetfilter(protocolFamily, hook, priority)"),
            ProgramType.Syscall => throw new InvalidOperationException($"syscall program '{Name}' is not attached: run it with TestRun"),
            ProgramType.Unspecified or ProgramType.SchedAct
                or ProgramType.LwtIn or ProgramType.LwtOut or ProgramType.LwtXmit
                or ProgramType.LwtSeg6Local or ProgramType.LircMode2
                or ProgramType.SkReuseport
                or ProgramType.Tracing or ProgramType.StructOps or ProgramType.Ext
                or ProgramType.Lsm
                => throw new NotSupportedException($"attaching {Type} programs (program '{Name}', section '{SectionName}') is not supported by this runtime yet"),
            _ => throw new NotSupportedException($"program '{Name}' has unknown program type {(uint)Type}"),
        };
    }

    ILink AttachProbeFromSection(string? target)
    {
        if (SectionName.StartsWith("usdt", StringComparison.Ordinal))
        {
            // usdt/PATH:PROVIDER:NAME (the path may itself hold colons: the last two separate provider and name).
            int nameColon = target?.LastIndexOf(':') ?? -1;
            int providerColon = nameColon > 0 ? target!.LastIndexOf(':', nameColon - 1) : -1;
            if (providerColon <= 0 || nameColon == target!.Length - 1 || nameColon == providerColon + 1)
                throw new InvalidOperationException($"USDT program '{Name}' (section '{SectionName}') needs PATH:PROVIDER:NAME in its section or a call to AttachUsdt(binary, provider, name)");
            return AttachUsdt(target[..providerColon], target[(providerColon + 1)..nameColon], target[(nameColon + 1)..]);
        }
        bool isReturn = SectionName.StartsWith("kretprobe", StringComparison.Ordinal) || SectionName.StartsWith("uretprobe", StringComparison.Ordinal);
        if (SectionName.StartsWith("uprobe", StringComparison.Ordinal) || SectionName.StartsWith("uretprobe", StringComparison.Ordinal))
        {
            int colon = target?.LastIndexOf(':') ?? -1;
            if (target is null || colon <= 0 || colon == target.Length - 1)
                throw new InvalidOperationException($"uprobe program '{Name}' (section '{SectionName}') needs BINARY:FUNCTION in its section or a call to AttachUprobe(binary, function)");
            return AttachUprobe(target[..colon], target[(colon + 1)..], isReturn);
        }
        if (target is not { Length: > 0 })
            throw new InvalidOperationException($"kprobe program '{Name}' (section '{SectionName}') names no function: call AttachKprobe(function)");
        return AttachKprobe(target, isReturn);
    }

    /// <summary>Attaches a tracepoint program to <paramref name="category"/>/<paramref name="name"/> (system-wide): the
    /// id from tracefs, perf_event_open(PERF_TYPE_TRACEPOINT), then a perf link (or PERF_EVENT_IOC_SET_BPF).</summary>
    public PerfEventLink AttachTracepoint(string category, string name) => AttachTracepoint(category, name, tryBpfLink: true);

    /// <summary><paramref name="tryBpfLink"/> false forces the PERF_EVENT_IOC_SET_BPF path of kernels before 5.15 (for tests).</summary>
    internal PerfEventLink AttachTracepoint(string category, string name, bool tryBpfLink)
    {
        ulong id = Tracefs.TracepointId(category, name);
        var attr = new PerfEventAttr { Type = PerfEventAttr.PerfTypeTracepoint, Config = id, SamplePeriod = 1, WakeupEvents = 1 };
        return PerfEventLink.Attach(this, attr, pid: -1, cpu: 0, $"tracepoint {category}/{name}", errno => errno switch
        {
            Errno.EACCES or Errno.EPERM => "opening a system-wide tracepoint event needs CAP_PERFMON or CAP_SYS_ADMIN (or kernel.perf_event_paranoid <= -1)",
            Errno.ENOENT or Errno.EINVAL => $"the kernel refused tracepoint id {id}",
            _ => null,
        }, tryBpfLink);
    }

    /// <summary>Attaches a BTF-typed tracepoint program (tp_btf) to the tracepoint it was loaded for (attach_btf_id).</summary>
    public RawTracepointLink AttachBtfTracepoint()
    {
        if (Type != ProgramType.Tracing || ExpectedAttachType != AttachType.TraceRawTp)
            throw new InvalidOperationException($"program '{Name}' is {Type}/{ExpectedAttachType}, not a tp_btf program");
        return RawTracepointLink.Attach(this, Spec.AttachTarget ?? "?", byName: false);
    }

    /// <summary>Whether <see cref="Attach()"/> can attach this program from its section name alone.</summary>
    public bool HasAutoAttachTarget => Type switch
    {
        ProgramType.Tracepoint => Spec.AttachTarget?.Split('/') is [_, _],
        ProgramType.RawTracepoint or ProgramType.RawTracepointWritable => Spec.AttachTarget is { Length: > 0 },
        ProgramType.Kprobe => Spec.AttachTarget is { Length: > 0 } target && (!SectionName.StartsWith("u", StringComparison.Ordinal) || target.Contains(':')),
        ProgramType.Tracing => ExpectedAttachType is AttachType.TraceRawTp or AttachType.TraceFentry or AttachType.TraceFexit
            or AttachType.ModifyReturn or AttachType.TraceIter,
        ProgramType.Lsm => ExpectedAttachType == AttachType.LsmMac,
        _ => false,
    };

    /// <summary>Attaches an iterator program (<c>SEC("iter/task")</c>): read its output with <see cref="IteratorLink.Open"/>.</summary>
    public IteratorLink AttachIterator()
    {
        if (Type != ProgramType.Tracing || ExpectedAttachType != AttachType.TraceIter)
            throw new InvalidOperationException($"program '{Name}' is {Type}/{ExpectedAttachType}, not an iterator (section iter/NAME)");
        return IteratorLink.Attach(this);
    }

    /// <summary>Attaches a raw tracepoint program (BPF_RAW_TRACEPOINT_OPEN) to tracepoint <paramref name="name"/> (<c>sys_enter</c>).</summary>
    public RawTracepointLink AttachRawTracepoint(string name) => RawTracepointLink.Attach(this, name);

    /// <summary>Attaches an XDP program to interface <paramref name="ifindex"/> (BPF_LINK_CREATE, BPF_XDP).</summary>
    public XdpLink AttachXdp(int ifindex, XdpAttachMode mode = XdpAttachMode.Default) => XdpLink.Attach(this, ifindex, mode);

    /// <summary>Attaches an XDP program to the interface named <paramref name="interfaceName"/>.</summary>
    public XdpLink AttachXdp(string interfaceName, XdpAttachMode mode = XdpAttachMode.Default)
        => XdpLink.Attach(this, NetworkInterfaces.IndexOf(interfaceName), mode);

    /// <summary>Attaches a tc (sched_cls) program with tcx (BPF_LINK_CREATE, BPF_TCX_INGRESS/EGRESS; kernel 6.6+).</summary>
    public TcxLink AttachTcx(int ifindex, TcxDirection direction) => TcxLink.Attach(this, ifindex, direction);

    /// <summary>Attaches a tc (sched_cls) program with tcx to the interface named <paramref name="interfaceName"/>.</summary>
    public TcxLink AttachTcx(string interfaceName, TcxDirection direction)
        => TcxLink.Attach(this, NetworkInterfaces.IndexOf(interfaceName), direction);

    /// <summary>Attaches a tc (sched_cls) program to a netkit device pair through its primary device
    /// (BPF_LINK_CREATE, BPF_NETKIT_PRIMARY/PEER; kernel 6.7+ with CONFIG_NETKIT).</summary>
    public NetkitLink AttachNetkit(int primaryIfindex, NetkitSide side) => NetkitLink.Attach(this, primaryIfindex, side);

    /// <summary>Attaches a tc (sched_cls) program to the netkit device pair whose primary device is named
    /// <paramref name="primaryInterfaceName"/>.</summary>
    public NetkitLink AttachNetkit(string primaryInterfaceName, NetkitSide side)
        => NetkitLink.Attach(this, NetworkInterfaces.IndexOf(primaryInterfaceName), side);

    /// <summary>Attaches a perf_event program to sampling events from <paramref name="source"/>: one per online CPU
    /// (system-wide), or one following process <paramref name="pid"/> on every CPU.</summary>
    public PerfEventLinkGroup AttachPerfEvent(PerfEventSource source, int pid = -1)
    {
        if ((source.Period == 0) == (source.Frequency == 0))
            throw new ArgumentException($"perf event source {source}: give either a period or a frequency", nameof(source));
        const ulong FreqBit = 1UL << 10;                                    // perf_event_attr.freq
        var attr = new PerfEventAttr
        {
            Type = source.Type,
            Config = source.Config,
            SamplePeriod = source.Frequency != 0 ? source.Frequency : source.Period,
            Flags = source.Frequency != 0 ? FreqBit : 0,
        };
        var cpus = pid == -1 ? PossibleCpus.Online : [-1];
        var links = new List<PerfEventLink>(cpus.Count);
        try
        {
            foreach (int cpu in cpus)
                links.Add(PerfEventLink.Attach(this, attr, pid, cpu, $"perf event {source} on " + (cpu == -1 ? $"pid {pid}" : $"CPU {cpu}"), errno => errno switch
                {
                    Errno.ENOENT or Errno.EOPNOTSUPP => $"this machine has no such perf event ({source}; hardware events need a PMU, often absent in VMs)",
                    Errno.EACCES or Errno.EPERM => "sampling needs CAP_PERFMON or CAP_SYS_ADMIN (or a lower kernel.perf_event_paranoid)",
                    Errno.EINVAL => $"the kernel refused the event parameters ({source})",
                    _ => null,
                }));
        }
        catch
        {
            foreach (var link in links) link.Dispose();
            throw;
        }
        return new PerfEventLinkGroup(links, Name, $"perf event {source} " + (pid == -1 ? $"on {cpus.Count} CPUs" : $"of pid {pid}"));
    }

    /// <summary>Attaches a cgroup program to the cgroup v2 directory <paramref name="cgroupPath"/> (BPF_LINK_CREATE); the
    /// attach type defaults to the program's expected attach type (<c>cgroup_skb/egress</c> -&gt; BPF_CGROUP_INET_EGRESS).</summary>
    public CgroupLink AttachCgroup(string cgroupPath, AttachType? attachType = null)
        => CgroupLink.Attach(this, cgroupPath, attachType ?? ExpectedAttachType);

    /// <summary>Attaches an sk_lookup or flow dissector program to a network namespace (default: this process's).</summary>
    public NetnsLink AttachNetns(string netnsPath = "/proc/self/ns/net") => NetnsLink.Attach(this, netnsPath);

    /// <summary>Attaches an sk_msg or sk_skb program to a sockmap or sockhash, as its section's hook (verdict, parser).</summary>
    public SockMapLink AttachSockMap(Map map) => SockMapLink.Attach(this, map);

    /// <summary>Attaches a netfilter program to <paramref name="hook"/> (NF_INET_PRE_ROUTING = 0 ... POST_ROUTING = 4) of
    /// <paramref name="protocolFamily"/> (NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10) at <paramref name="priority"/>.</summary>
    public NetfilterLink AttachNetfilter(uint protocolFamily, uint hook, int priority) => NetfilterLink.Attach(this, protocolFamily, hook, priority);

    /// <summary>Attaches a socket filter program to <paramref name="socket"/> (SO_ATTACH_BPF).</summary>
    public SocketFilterAttachment AttachSocket(System.Net.Sockets.Socket socket) => SocketFilterAttachment.Attach(this, socket);

    /// <summary>Attaches a kprobe program to the entry (or, with <paramref name="isReturn"/>, the return) of user function
    /// <paramref name="function"/> in <paramref name="binaryPath"/> (an executable or shared library); <paramref name="pid"/>
    /// -1 traces every process.</summary>
    public PerfEventLink AttachUprobe(string binaryPath, string function, bool isReturn = false, int pid = -1)
        => AttachUprobe(binaryPath, ElfSymbolOffsets.FileOffset(binaryPath, function), isReturn, pid, function);

    /// <summary>Attaches a kprobe program at file offset <paramref name="fileOffset"/> of <paramref name="binaryPath"/> (uprobe PMU).</summary>
    public PerfEventLink AttachUprobe(string binaryPath, ulong fileOffset, bool isReturn = false, int pid = -1)
        => AttachUprobe(binaryPath, fileOffset, isReturn, pid, null);

    /// <param name="referenceCounterOffset">File offset of a 16-bit counter the kernel increments in every process mapping
    /// the file while the probe exists (a USDT semaphore); 0 for none.</param>
    internal PerfEventLink AttachUprobe(string binaryPath, ulong fileOffset, bool isReturn, int pid, string? function,
        ulong referenceCounterOffset = 0, ulong cookie = 0)
    {
        string kind = isReturn ? "uretprobe" : "uprobe";
        string target = $"{kind} {binaryPath}:{function ?? $"0x{fileOffset:x}"}" + (pid == -1 ? "" : $" (pid {pid})");
        ulong config = isReturn ? 1UL << ProbePmu.ReturnProbeBit("uprobe") : 0;
        if (referenceCounterOffset != 0)
        {
            int shift = ProbePmu.ReferenceCounterShift("uprobe")
                ?? throw new NotSupportedException($"attach program '{Name}' to {target}: this kernel's uprobe PMU has no ref_ctr_offset (Linux 4.20+), so it cannot maintain the probe's semaphore");
            config |= referenceCounterOffset << shift;
        }
        if (!ProbePmu.Exists("uprobe"))
            throw new NotSupportedException($"attach program '{Name}' to {target}: this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe/type is missing: built without CONFIG_UPROBE_EVENTS)");
        var path = ObjectInfo.NulTerminated(Path.GetFullPath(binaryPath));
        fixed (byte* p = path)
        {
            var attr = new PerfEventAttr
            {
                Type = ProbePmu.Type("uprobe"),
                Config = config,
                Config1 = (ulong)p,
                Config2 = fileOffset,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            return PerfEventLink.Attach(this, attr, pid, pid == -1 ? 0 : -1, target, errno => errno switch
            {
                Errno.ENOENT => $"'{binaryPath}' does not exist",
                Errno.EINVAL => $"offset 0x{fileOffset:x} is not a valid instruction start in '{binaryPath}'",
                Errno.ESRCH => $"no process {pid}",
                _ => null,
            }, cookie: cookie);
        }
    }

    /// <summary>Attaches a kprobe program to kernel function <paramref name="function"/> (kprobe PMU); needs a kernel
    /// built with CONFIG_KPROBES (the error says so when the kprobe PMU is missing).</summary>
    public PerfEventLink AttachKprobe(string function, bool isReturn = false, ulong offset = 0)
    {
        string kind = isReturn ? "kretprobe" : "kprobe";
        string target = $"{kind} {function}" + (offset == 0 ? "" : $"+0x{offset:x}");
        if (!ProbePmu.Exists("kprobe"))
            throw new NotSupportedException($"attach program '{Name}' to {target}: this kernel has no kprobe PMU "
                + "(/sys/bus/event_source/devices/kprobe/type is missing): it was built without CONFIG_KPROBES, so kprobes cannot attach; "
                + "use a tracepoint, raw tracepoint or fentry program instead");
        var name = ObjectInfo.NulTerminated(function);
        fixed (byte* n = name)
        {
            var attr = new PerfEventAttr
            {
                Type = ProbePmu.Type("kprobe"),
                Config = isReturn ? 1UL << ProbePmu.ReturnProbeBit("kprobe") : 0,
                Config1 = (ulong)n,
                Config2 = offset,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            return PerfEventLink.Attach(this, attr, -1, 0, target, errno => errno switch
            {
                Errno.ENOENT or Errno.EINVAL => $"the kernel cannot probe '{function}' (not a traceable function, or inlined/notrace)",
                _ => null,
            });
        }
    }
}
