using Ebpf.TestSupport;

namespace Ebpf.Object.Tests.Kernel;

public class ProgramSectionsTests
{
    // section, type, expected attach type, attach target, known to libbpf 1.1
    public static TheoryData<string, ProgramType, AttachType, string?, bool> Cases => new()
    {
        { "socket", ProgramType.SocketFilter, AttachType.None, null, true },
        { "kprobe/do_sys_openat2", ProgramType.Kprobe, AttachType.None, "do_sys_openat2", true },
        { "kprobe", ProgramType.Kprobe, AttachType.None, null, true },
        { "kprobe/tcp_connect+8", ProgramType.Kprobe, AttachType.None, "tcp_connect+8", true },
        { "kretprobe/do_sys_openat2", ProgramType.Kprobe, AttachType.None, "do_sys_openat2", true },
        { "uprobe", ProgramType.Kprobe, AttachType.None, null, true },
        { "uprobe//usr/lib/libc.so.6:malloc", ProgramType.Kprobe, AttachType.None, "/usr/lib/libc.so.6:malloc", true },
        { "uretprobe", ProgramType.Kprobe, AttachType.None, null, true },
        { "uretprobe//bin/bash:readline", ProgramType.Kprobe, AttachType.None, "/bin/bash:readline", true },
        { "uprobe.s//bin/bash:readline", ProgramType.Kprobe, AttachType.None, "/bin/bash:readline", true },
        { "kprobe.multi/tcp_*", ProgramType.Kprobe, AttachType.TraceKprobeMulti, "tcp_*", true },
        { "ksyscall/openat", ProgramType.Kprobe, AttachType.None, "openat", true },
        { "usdt/libc.so.6:libc:setjmp", ProgramType.Kprobe, AttachType.None, "libc.so.6:libc:setjmp", true },
        { "tracepoint/syscalls/sys_enter_openat", ProgramType.Tracepoint, AttachType.None, "syscalls/sys_enter_openat", true },
        { "tp/syscalls/sys_enter_getpid", ProgramType.Tracepoint, AttachType.None, "syscalls/sys_enter_getpid", true },
        { "raw_tracepoint/sched_switch", ProgramType.RawTracepoint, AttachType.None, "sched_switch", true },
        { "raw_tp/sched_switch", ProgramType.RawTracepoint, AttachType.None, "sched_switch", true },
        { "raw_tp.w/sched_switch", ProgramType.RawTracepointWritable, AttachType.None, "sched_switch", true },
        { "tp_btf/sched_switch", ProgramType.Tracing, AttachType.TraceRawTp, "sched_switch", true },
        { "fentry/do_unlinkat", ProgramType.Tracing, AttachType.TraceFentry, "do_unlinkat", true },
        { "fexit/do_unlinkat", ProgramType.Tracing, AttachType.TraceFexit, "do_unlinkat", true },
        { "fmod_ret/security_file_open", ProgramType.Tracing, AttachType.ModifyReturn, "security_file_open", true },
        { "fentry.s/do_unlinkat", ProgramType.Tracing, AttachType.TraceFentry, "do_unlinkat", true },
        { "freplace/handler", ProgramType.Ext, AttachType.None, "handler", true },
        { "lsm/file_open", ProgramType.Lsm, AttachType.LsmMac, "file_open", true },
        { "lsm.s/file_open", ProgramType.Lsm, AttachType.LsmMac, "file_open", true },
        { "lsm_cgroup/socket_bind", ProgramType.Lsm, AttachType.LsmCgroup, "socket_bind", true },
        { "iter/task", ProgramType.Tracing, AttachType.TraceIter, "task", true },
        { "xdp", ProgramType.Xdp, AttachType.Xdp, null, true },
        { "xdp.frags", ProgramType.Xdp, AttachType.Xdp, null, true },
        { "xdp/devmap", ProgramType.Xdp, AttachType.XdpDevmap, null, true },
        { "xdp.frags/cpumap", ProgramType.Xdp, AttachType.XdpCpumap, null, true },
        { "tc", ProgramType.SchedCls, AttachType.None, null, true },
        { "classifier", ProgramType.SchedCls, AttachType.None, null, true },
        { "action", ProgramType.SchedAct, AttachType.None, null, true },
        { "tcx/ingress", ProgramType.SchedCls, AttachType.TcxIngress, null, false },
        { "tcx/egress", ProgramType.SchedCls, AttachType.TcxEgress, null, false },
        { "tc/ingress", ProgramType.SchedCls, AttachType.TcxIngress, null, false },
        { "netfilter", ProgramType.Netfilter, AttachType.Netfilter, null, false },
        { "cgroup_skb/ingress", ProgramType.CgroupSkb, AttachType.CgroupInetIngress, null, true },
        { "cgroup_skb/egress", ProgramType.CgroupSkb, AttachType.CgroupInetEgress, null, true },
        { "cgroup/skb", ProgramType.CgroupSkb, AttachType.None, null, true },
        { "cgroup/sock_create", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate, null, true },
        { "cgroup/connect4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect, null, true },
        { "cgroup/getsockname6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getsockname, null, true },
        { "cgroup/sysctl", ProgramType.CgroupSysctl, AttachType.CgroupSysctl, null, true },
        { "cgroup/setsockopt", ProgramType.CgroupSockopt, AttachType.CgroupSetsockopt, null, true },
        { "cgroup/dev", ProgramType.CgroupDevice, AttachType.CgroupDevice, null, true },
        { "sockops", ProgramType.SockOps, AttachType.CgroupSockOps, null, true },
        { "sk_skb/stream_verdict", ProgramType.SkSkb, AttachType.SkSkbStreamVerdict, null, true },
        { "sk_msg", ProgramType.SkMsg, AttachType.SkMsgVerdict, null, true },
        { "sk_lookup", ProgramType.SkLookup, AttachType.SkLookup, null, true },
        { "sk_reuseport/migrate", ProgramType.SkReuseport, AttachType.SkReuseportSelectOrMigrate, null, true },
        { "flow_dissector", ProgramType.FlowDissector, AttachType.FlowDissector, null, true },
        { "lwt_xmit", ProgramType.LwtXmit, AttachType.None, null, true },
        { "perf_event", ProgramType.PerfEvent, AttachType.None, null, true },
        { "syscall", ProgramType.Syscall, AttachType.None, null, true },
        { "struct_ops/dctcp_init", ProgramType.StructOps, AttachType.None, "dctcp_init", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_like_libbpf(string section, ProgramType type, AttachType attach, string? target, bool inLibbpf11)
    {
        _ = inLibbpf11;
        Assert.True(ProgramSections.TryClassify(section, out var t, out var a, out var tgt));
        Assert.Equal((type, attach, target), (t, a, tgt));
    }

    [Theory]
    [InlineData(".text")]
    [InlineData("license")]
    [InlineData(".maps")]
    [InlineData(".rodata")]
    [InlineData("maps")]
    [InlineData("xdp_foo")]          // exact names do not match longer words
    [InlineData("xdpx")]
    [InlineData("kprobex/foo")]      // "kprobe+" needs "/" after the word
    [InlineData("tracepoints/a/b")]
    [InlineData("socket/x")]
    [InlineData("")]
    public void Non_program_sections_are_rejected(string section)
    {
        Assert.False(ProgramSections.TryClassify(section, out var type, out _, out var target));
        Assert.Equal(ProgramType.Unspecified, type);
        Assert.Null(target);
    }

    [Fact]
    public void Flags_follow_the_section_name()
    {
        Assert.True(ProgramSections.TryClassify("?xdp.frags", out var s));
        Assert.Equal(ProgramSectionFlags.XdpFrags | ProgramSectionFlags.NoAutoLoad, s.Flags);
        Assert.True(ProgramSections.TryClassify("syscall", out s));
        Assert.Equal(ProgramSectionFlags.Sleepable, s.Flags);
        Assert.True(ProgramSections.TryClassify("lsm.s/file_open", out s));
        Assert.Equal(ProgramSectionFlags.Sleepable | ProgramSectionFlags.AttachBtf, s.Flags);
        Assert.True(ProgramSections.TryClassify("uprobe.multi//bin/sh:main", out s));
        Assert.Equal((ProgramType.Kprobe, AttachType.TraceUprobeMulti, "/bin/sh:main"), (s.Type, s.ExpectedAttachType, s.AttachTarget));
    }

    /// <summary>Asks the installed libbpf (1.1) itself: <c>libbpf_prog_type_by_name</c> for every case it knows,
    /// and checks it rejects the non-program names too.</summary>
    [Fact]
    public void Agrees_with_libbpf_prog_type_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-sections-").FullName;
        var src = Path.Combine(dir, "ptype.c");
        var exe = Path.Combine(dir, "ptype");
        File.WriteAllText(src, """
            #include <stdio.h>
            #include <bpf/libbpf.h>
            static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }
            int main(int argc, char **argv) {
              libbpf_set_print(quiet);
              for (int i = 1; i < argc; i++) {
                enum bpf_prog_type t; enum bpf_attach_type a;
                if (libbpf_prog_type_by_name(argv[i], &t, &a)) printf("%s none\n", argv[i]);
                else printf("%s %d %d\n", argv[i], t, a);
              }
              return 0;
            }
            """);
        var cc = ExternalTool.Run(ExternalTool.Require("gcc"), src, "-o", exe, "-lbpf");
        Assert.True(cc.ExitCode == 0, "gcc failed (libbpf-dev needed):\n" + cc.Combined);
        var names = Cases.Select(c => ((string)c[0], (bool)c[4])).Where(c => c.Item2).Select(c => c.Item1)
            .Concat(new[] { ".text", "license", "xdp_foo", "kprobex/foo", "socket/x" }).ToArray();
        var run = ExternalTool.Run(exe, names);
        Assert.Equal(0, run.ExitCode);
        var lines = run.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal(names.Length, lines.Length);
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            string ours = ProgramSections.TryClassify(parts[0], out var t, out var a, out _) ? $"{(int)t} {(int)a}" : "none";
            Assert.Equal($"{parts[0]} {ours}", line);
        }
    }
}
