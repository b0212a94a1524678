using System.Text.Json;

namespace Ebpf.Runtime.Tests.Links;

public class LinkTests
{
    static void CallGetppid(int times)
    {
        for (int i = 0; i < times; i++) Native.GetParentPid();
    }

    [SkippableFact]
    public void Tracepoint_program_counts_exactly_the_calls_made_and_stops_after_detach()
    {
        Kernel.RequireTracefs();
        using var collection = Collection.Load(ProbeObjects.GetppidCounter(), new CollectionOptions { ObjectName = "getppid" });
        var counts = collection.GetMap<uint, ulong>("Counts");
        uint tgid = (uint)Environment.ProcessId;

        using (var link = collection.GetProgram("OnGetppid").Attach())  // from the section: tracepoint/syscalls/sys_enter_getppid
        {
            Assert.Equal("tracepoint syscalls/sys_enter_getppid", link.Target);
            var perf = Assert.IsType<PerfEventLink>(link);
            Assert.NotNull(perf.Link);                                     // a BPF link on this kernel, not the ioctl fallback
            CallGetppid(25);
            Assert.Equal(25UL, counts[tgid]);
            CallGetppid(17);
            Assert.Equal(42UL, counts[tgid]);
        }
        CallGetppid(10);
        Assert.Equal(42UL, counts[tgid]);
        Assert.Equal([tgid], counts.Keys);
    }

    [SkippableFact]
    public void Tracepoint_attach_through_the_ioctl_path_of_older_kernels_counts_and_detaches()
    {
        Kernel.RequireTracefs();
        using var collection = Collection.Load(ProbeObjects.GetppidCounter());
        var counts = collection.GetMap<uint, ulong>("Counts");
        uint tgid = (uint)Environment.ProcessId;
        using (var link = collection.GetProgram("OnGetppid").AttachTracepoint("syscalls", "sys_enter_getppid", tryBpfLink: false))
        {
            Assert.Null(link.Link);                                        // PERF_EVENT_IOC_SET_BPF, no BPF link
            Assert.Null(link.GetInfo());
            Assert.Throws<InvalidOperationException>(() => link.Pin("/sys/fs/bpf/never"));
            CallGetppid(13);
            Assert.Equal(13UL, counts[tgid]);
        }
        CallGetppid(3);
        Assert.Equal(13UL, counts[tgid]);
    }

    [SkippableFact]
    public void Pinned_tracepoint_link_outlives_its_fd_and_detach_removes_the_pin()
    {
        Kernel.RequireTracefs();
        using var collection = Collection.Load(ProbeObjects.GetppidCounter());
        var counts = collection.GetMap<uint, ulong>("Counts");
        uint tgid = (uint)Environment.ProcessId;
        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-tp-{Environment.ProcessId}");

        var link = collection.GetProgram("OnGetppid").AttachTracepoint("syscalls", "sys_enter_getppid");
        Assert.Equal(LinkType.PerfEvent, link.GetInfo()!.Type);
        link.Pin(pin);
        try
        {
            link.Dispose();                                                // our fds are closed; the pinned link holds the event
            CallGetppid(6);
            Assert.Equal(6UL, counts[tgid]);

            var again = Assert.Throws<BpfException>(() => collection.GetProgram("OnGetppid").AttachTracepoint("syscalls", "sys_enter_getppid"));
            Assert.Contains("already attached", again.Message);            // the pinned link still holds it

            using var second = Collection.Load(ProbeObjects.GetppidCounter());
            var other = second.GetProgram("OnGetppid").AttachTracepoint("syscalls", "sys_enter_getppid");
            other.Pin(pin + "-2");
            other.Detach();                                                // unpins, then closes: detached at once
            Assert.False(File.Exists(pin + "-2"));
            CallGetppid(2);
            Assert.Equal(8UL, counts[tgid]);                               // the first (still pinned) link counts on
            Assert.False(second.GetMap<uint, ulong>("Counts").TryLookup(tgid, out _));
        }
        finally
        {
            File.Delete(pin);
        }
    }

    [SkippableFact]
    public void Tracepoint_attached_with_pid_minus_one_on_cpu_zero_fires_on_every_cpu()
    {
        Kernel.RequireTracefs();
        int online = Environment.ProcessorCount;
        Skip.If(online < 2, "needs at least two CPUs to show hits from a CPU other than 0");
        using var collection = Collection.Load(ProbeObjects.GetppidCounter());
        using var link = collection.GetProgram("OnGetppid").AttachTracepoint("syscalls", "sys_enter_getppid");

        // One thread pinned to each CPU makes (cpu + 1) * 3 calls.
        for (int cpu = 0; cpu < online; cpu++)
        {
            int c = cpu;
            var thread = new Thread(() => { Native.PinCurrentThread(c); CallGetppid((c + 1) * 3); });
            thread.Start();
            thread.Join();
        }
        var perCpu = collection.GetPerCpuMap<uint, ulong>("PerCpuHits").Lookup(0);
        for (int cpu = 0; cpu < online; cpu++) Assert.Equal((ulong)(cpu + 1) * 3, perCpu[cpu]);
        Assert.Equal((ulong)Enumerable.Range(1, online).Sum() * 3, collection.GetMap<uint, ulong>("Counts")[(uint)Environment.ProcessId]);
    }

    [SkippableFact]
    public void Raw_tracepoint_counts_sys_enter_of_getppid_and_survives_through_a_pinned_link()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(ProbeObjects.RawSysEnterCounter());
        var program = collection.GetProgram("OnSysEnter");
        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-rawtp-{Environment.ProcessId}");

        var link = Assert.IsType<RawTracepointLink>(program.Attach());
        Assert.Equal(LinkType.RawTracepoint, link.GetInfo().Type);
        Assert.Equal(program.GetInfo().Id, link.GetInfo().ProgramId);
        CallGetppid(7);
        Assert.Equal(7UL, collection.ReadVariable<ulong>("Hits"));

        link.Pin(pin);
        link.Dispose();                                                    // our fd is gone; the pin keeps the attachment
        CallGetppid(5);
        Assert.Equal(12UL, collection.ReadVariable<ulong>("Hits"));
        File.Delete(pin);                                                  // last reference: the kernel detaches from a work queue
        var deadline = DateTime.UtcNow.AddSeconds(5);
        ulong settled;
        do
        {
            settled = collection.ReadVariable<ulong>("Hits");
            CallGetppid(1);
        } while (collection.ReadVariable<ulong>("Hits") != settled && DateTime.UtcNow < deadline);
        CallGetppid(5);
        Assert.Equal(settled, collection.ReadVariable<ulong>("Hits"));
    }

    [SkippableFact]
    public void Detach_detaches_a_pinned_raw_tracepoint_link_at_once()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(ProbeObjects.RawSysEnterCounter());
        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-detach-{Environment.ProcessId}");
        var link = collection.GetProgram("OnSysEnter").AttachRawTracepoint("sys_enter");
        link.Pin(pin);
        try
        {
            CallGetppid(3);
            link.Detach();              // raw tracepoint links have no BPF_LINK_DETACH: unpin, then the close detaches
            Assert.False(File.Exists(pin));
            CallGetppid(3);
            Assert.Equal(3UL, collection.ReadVariable<ulong>("Hits"));
        }
        finally
        {
            File.Delete(pin);
        }
    }

    [SkippableFact]
    public void Pinned_link_reopened_in_a_new_handle_counts_on_and_detaches_through_it()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(ProbeObjects.RawSysEnterCounter());
        var program = collection.GetProgram("OnSysEnter");
        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-reopen-{Environment.ProcessId}");
        var link = program.AttachRawTracepoint("sys_enter");
        uint linkId = link.GetInfo().Id;
        link.Pin(pin);
        link.Dispose();                                                    // only the pin holds the attachment now
        try
        {
            using var reopened = PinnedLink.Open(pin);
            Assert.Equal(LinkType.RawTracepoint, reopened.Info.Type);
            Assert.Equal(linkId, reopened.Info.Id);
            Assert.Equal(program.GetInfo().Id, reopened.GetInfo().ProgramId);
            Assert.Equal(pin, reopened.PinnedPath);
            CallGetppid(4);
            Assert.Equal(4UL, collection.ReadVariable<ulong>("Hits"));

            reopened.Detach();                  // no BPF_LINK_DETACH for raw tracepoints: the pin goes, then the close detaches
            Assert.False(File.Exists(pin));
            CallGetppid(3);
            Assert.Equal(4UL, collection.ReadVariable<ulong>("Hits"));
        }
        finally
        {
            File.Delete(pin);
        }
    }

    [SkippableFact]
    public void Opening_a_pinned_map_as_a_link_says_what_the_pin_holds()
    {
        Kernel.RequireBpf();
        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-notlink-{Environment.ProcessId}");
        using var map = Map.Create(new MapSpec { Name = "not_a_link", Type = MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
        map.Pin(pin);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => PinnedLink.Open(pin));
            Assert.Contains("is not a pinned link: it holds bpf-map", e.Message);
            var missing = Assert.Throws<BpfException>(() => PinnedLink.Open(pin + "-missing"));
            Assert.Equal("ENOENT", missing.ErrnoName);
        }
        finally
        {
            map.Unpin();
        }
    }

    static string LibcPath()
        => File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
               .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libc.so", StringComparison.Ordinal))
               .Select(f => f[5]).First();

    [SkippableFact]
    public void Uprobe_and_uretprobe_on_libc_getppid_see_the_calls_and_the_return_value()
    {
        Kernel.RequireBpf();
        string libc = LibcPath();

        using (var entry = Collection.Load(ProbeObjects.RegsProbe("OnGetppidEntry", "uprobe")))
        using (entry.GetProgram("OnGetppidEntry").AttachUprobe(libc, "getppid"))
        {
            CallGetppid(9);
            Assert.Equal(9UL, entry.ReadVariable<ulong>("Hits"));
        }

        var spec = ProbeObjects.RegsProbe("OnGetppidReturn", $"uretprobe/{libc}:getppid");
        spec.Programs[0] = new ProgramSpec
        {
            Name = spec.Programs[0].Name, SectionName = spec.Programs[0].SectionName, Type = ProgramType.Kprobe,
            AttachTarget = $"{libc}:getppid", Instructions = spec.Programs[0].Instructions, Relocations = spec.Programs[0].Relocations,
        };
        using var ret = Collection.Load(spec);
        using var link = ret.GetProgram("OnGetppidReturn").Attach();       // from the section: uretprobe/BINARY:FUNCTION
        Assert.StartsWith("uretprobe ", link.Target);
        int parent = Native.GetParentPid();
        Assert.Equal(1UL, ret.ReadVariable<ulong>("Hits"));
        Assert.Equal((ulong)parent, ret.ReadVariable<ulong>("LastValue"));
    }

    [SkippableFact]
    public void Btf_tracepoint_program_resolves_its_target_in_kernel_BTF_and_counts()
    {
        Kernel.RequireBpf();
        var p = new ProgramBuilder("OnSysEnterBtf", ProgramType.Tracing, "tp_btf/sys_enter", AttachType.TraceRawTp, attachTarget: "sys_enter");
        p.Emit(Insn.Load(MemSize.DW, R7, R1, 8))                           // args[1]: long id
         .Jump(Insn.Jump(JumpOp.Jne, R7, (int)Native.SysGetppid), "out")
         .IfNotTargetTgid("out")
         .CountHit()
         .ReturnZero();
        using var collection = Collection.Load(ProbeObjects.WithGlobals(p.Build()));
        var program = collection.GetProgram("OnSysEnterBtf");
        using (var link = Assert.IsType<RawTracepointLink>(program.Attach()))
        {
            Assert.Equal(LinkType.RawTracepoint, link.GetInfo().Type);
            CallGetppid(8);
        }
        CallGetppid(2);
        Assert.Equal(8UL, collection.ReadVariable<ulong>("Hits"));

        var missing = new ProgramBuilder("Nowhere", ProgramType.Tracing, "tp_btf/no_such_tracepoint", AttachType.TraceRawTp, attachTarget: "no_such_tracepoint");
        var e = Assert.Throws<LoadException>(() => Collection.Load(ProbeObjects.WithGlobals(missing.ReturnZero().Build())));
        Assert.StartsWith("the kernel's BTF has no TYPEDEF 'btf_trace_no_such_tracepoint'", e.Message);
    }

    [SkippableFact]
    public void Fentry_program_loads_and_attaches_or_is_refused_by_lockdown_with_that_reason()
    {
        Kernel.RequireBpf();
        var p = new ProgramBuilder("OnGetppidFentry", ProgramType.Tracing, "fentry/__do_sys_getppid", AttachType.TraceFentry, attachTarget: "__do_sys_getppid");
        p.IfNotTargetTgid("out").CountHit().ReturnZero();
        Collection collection;
        try
        {
            collection = Collection.Load(ProbeObjects.WithGlobals(p.Build()));
        }
        catch (BpfException e) when (e.Errno == Ebpf.Runtime.Syscalls.Errno.EPERM)
        {
            // This bench's kernel is locked down (environment.md): fentry is refused before the verifier runs.
            Assert.Contains("kernel lockdown", e.Message);
            Assert.Contains("TraceFentry", e.Message);
            return;
        }
        using (collection)
        {
            using (var link = Assert.IsType<TracingLink>(collection.GetProgram("OnGetppidFentry").Attach()))
                CallGetppid(5);
            Assert.Equal(5UL, collection.ReadVariable<ulong>("Hits"));
        }
    }

    [SkippableFact]
    public void Perf_event_program_samples_this_process_on_the_cpu_clock()
    {
        Kernel.RequireBpf();
        var p = new ProgramBuilder("OnSample", ProgramType.PerfEvent, "perf_event");
        p.IfNotTargetTgid("out").CountHit().ReturnZero();
        using var collection = Collection.Load(ProbeObjects.WithGlobals(p.Build()));
        using (var group = collection.GetProgram("OnSample").AttachPerfEvent(PerfEventSource.CpuClock(1000)))
        {
            Assert.Equal(PossibleCpus.Online.Count, group.Links.Count);
            Assert.All(group.Links, l => Assert.Equal(LinkType.PerfEvent, l.GetInfo()!.Type));
            // Burn CPU until a sample lands in this process (1000 Hz: within milliseconds; the bound is only a safety net).
            var deadline = DateTime.UtcNow.AddSeconds(10);
            ulong spin = 0;
            while (collection.ReadVariable<ulong>("Hits") == 0 && DateTime.UtcNow < deadline)
                for (int i = 0; i < 1_000_000; i++) spin += (ulong)i ^ spin;
            Assert.True(collection.ReadVariable<ulong>("Hits") > 0, $"no sample of this process ({spin})");
        }
        var e = Assert.Throws<ArgumentException>(() => collection.GetProgram("OnSample").AttachPerfEvent(new PerfEventSource(1, 0)));
        Assert.Contains("either a period or a frequency", e.Message);
    }

    [SkippableFact]
    public void Kprobe_attach_fails_clearly_on_a_kernel_without_CONFIG_KPROBES()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(ProbeObjects.RegsProbe("OnGetppidKprobe", "kprobe/__x64_sys_getppid"));
        var program = collection.GetProgram("OnGetppidKprobe");
        if (Directory.Exists("/sys/bus/event_source/devices/kprobe"))
        {
            using var link = program.AttachKprobe("__x64_sys_getppid");
            CallGetppid(4);
            Assert.Equal(4UL, collection.ReadVariable<ulong>("Hits"));
            return;
        }
        var e = Assert.Throws<NotSupportedException>(() => program.AttachKprobe("__x64_sys_getppid"));
        Assert.Contains("no kprobe PMU", e.Message);
        Assert.Contains("CONFIG_KPROBES", e.Message);
        Assert.Contains("kprobe __x64_sys_getppid", e.Message);
    }

    [SkippableFact]
    public void Xdp_link_on_a_veth_pair_sees_exactly_the_frames_sent_and_detaches_on_dispose()
    {
        Kernel.RequireBpf();
        using var veth = new VethPair("x");
        using var collection = Collection.Load(ProbeObjects.XdpEtherTypeCounter());
        var program = collection.GetProgram("CountExperimental");

        using (var link = program.AttachXdp(veth.Receiver))
        {
            Assert.Equal(LinkType.Xdp, link.GetInfo().Type);
            var shown = JsonDocument.Parse(veth.Show(veth.Receiver)).RootElement[0];
            Assert.Equal(program.GetInfo().Id, shown.GetProperty("xdp").GetProperty("prog").GetProperty("id").GetUInt32());

            Native.SendFrames(veth.SenderIndex, Packets.WithEtherType(0x88b5), 20);
            Native.SendFrames(veth.SenderIndex, Packets.Ipv4(Packets.ProtocolUdp), 5);   // other EtherTypes are not counted
            Assert.Equal(20UL, WaitFor(() => collection.ReadVariable<ulong>("Hits"), 20UL));
        }
        Assert.False(JsonDocument.Parse(veth.Show(veth.Receiver)).RootElement[0].TryGetProperty("xdp", out _));
        Native.SendFrames(veth.SenderIndex, Packets.WithEtherType(0x88b5), 3);
        Assert.Equal(20UL, collection.ReadVariable<ulong>("Hits"));

        string pin = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-xdp-{Environment.ProcessId}");
        var generic = program.AttachXdp(veth.ReceiverIndex, XdpAttachMode.Generic);
        try
        {
            var mode = JsonDocument.Parse(veth.Show(veth.Receiver)).RootElement[0].GetProperty("xdp").GetProperty("mode").GetInt32();
            Assert.Equal(2, mode);                                         // XDP_ATTACHED_SKB
            Native.SendFrames(veth.SenderIndex, Packets.WithEtherType(0x88b5), 4);
            Assert.Equal(24UL, WaitFor(() => collection.ReadVariable<ulong>("Hits"), 24UL));

            generic.Pin(pin);
            generic.Detach();                                              // BPF_LINK_DETACH: detached although still pinned
            Assert.True(File.Exists(pin));
            Assert.False(JsonDocument.Parse(veth.Show(veth.Receiver)).RootElement[0].TryGetProperty("xdp", out _));
        }
        finally
        {
            generic.Dispose();
            File.Delete(pin);
        }
    }

    [SkippableFact]
    public void Tcx_ingress_link_counts_frames_arriving_on_the_interface()
    {
        Kernel.RequireBpf();
        using var veth = new VethPair("t");
        using var collection = Collection.Load(ProbeObjects.TcEtherTypeCounter());
        using (var link = collection.GetProgram("TcCountExperimental").AttachTcx(veth.Receiver, TcxDirection.Ingress))
        {
            Assert.Equal(LinkType.Tcx, link.GetInfo().Type);
            Native.SendFrames(veth.SenderIndex, Packets.WithEtherType(0x88b5), 11);
            Native.SendFrames(veth.SenderIndex, Packets.Ipv4(Packets.ProtocolTcp), 2);
            Assert.Equal(11UL, WaitFor(() => collection.ReadVariable<ulong>("Hits"), 11UL));
        }
        Native.SendFrames(veth.SenderIndex, Packets.WithEtherType(0x88b5), 2);
        Assert.Equal(11UL, collection.ReadVariable<ulong>("Hits"));
    }

    [SkippableFact]
    public void Netkit_attach_is_refused_with_the_kernels_reason_where_netkit_is_missing_or_the_device_is_not_netkit()
    {
        Kernel.RequireBpf();
        using var veth = new VethPair("n");
        using var collection = Collection.Load(ProbeObjects.TcEtherTypeCounter());
        var program = collection.GetProgram("TcCountExperimental");
        var e = Assert.Throws<BpfException>(() => program.AttachNetkit(veth.Receiver, NetkitSide.Primary));
        Assert.StartsWith($"attach tc program 'TcCountExperimental' to the netkit primary of {veth.Receiver}", e.Message);
        // This bench's kernel is built without CONFIG_NETKIT (link_create's netkit stub says EINVAL); a kernel with it
        // finds that a veth is not a netkit device (ENXIO).
        Assert.Contains(KernelHasNetkit() ? "is not a netkit device" : "this kernel has no netkit", e.Message);
    }

    static bool KernelHasNetkit()
    {
        using var config = new System.IO.Compression.GZipStream(File.OpenRead("/proc/config.gz"), System.IO.Compression.CompressionMode.Decompress);
        return new StreamReader(config).ReadToEnd().Split('\n').Any(line => line is "CONFIG_NETKIT=y" or "CONFIG_NETKIT=m");
    }

    [SkippableFact]
    public void Attaching_to_a_missing_tracepoint_or_interface_says_what_is_missing()
    {
        Kernel.RequireTracefs();
        using var collection = Collection.Load(ProbeObjects.GetppidCounter());
        var program = collection.GetProgram("OnGetppid");
        var tp = Assert.Throws<ArgumentException>(() => program.AttachTracepoint("syscalls", "sys_enter_nothing"));
        Assert.Equal("the kernel has no tracepoint 'syscalls/sys_enter_nothing' (/sys/kernel/tracing/events/syscalls/sys_enter_nothing/id is missing)", tp.Message);
        var category = Assert.Throws<ArgumentException>(() => program.AttachTracepoint("nosuchcategory", "x"));
        Assert.Contains("no tracepoint category 'nosuchcategory'", category.Message);
        var nic = Assert.Throws<ArgumentException>(() => program.AttachXdp("nosuchnic0"));
        Assert.StartsWith("no network interface named 'nosuchnic0'", nic.Message);
        var wrongType = Assert.Throws<BpfException>(() => program.AttachRawTracepoint("sys_enter"));
        Assert.Contains("raw tracepoint 'sys_enter'", wrongType.Message);
    }

    /// <summary>Packets cross the veth asynchronously (softirq); poll briefly for the expected count.</summary>
    static ulong WaitFor(Func<ulong> read, ulong expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        ulong value;
        while ((value = read()) < expected && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Thread.Sleep(50);                                                  // and let any extra frames land, so a surplus shows
        return read();
    }
}
