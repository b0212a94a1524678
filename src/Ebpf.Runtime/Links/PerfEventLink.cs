using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A program attached to a perf event (a tracepoint, uprobe or kprobe event from perf_event_open): through a
/// BPF link (BPF_LINK_CREATE with BPF_PERF_EVENT, kernel 5.15+, link type BPF_LINK_TYPE_PERF_EVENT) or, on older
/// kernels, with the PERF_EVENT_IOC_SET_BPF ioctl. Disposing closes the link and the perf event, which detaches.</summary>
/// <remarks>Like libbpf, system-wide events are opened with pid -1 on CPU 0: the program hangs off the trace event
/// itself, so it runs for hits on every CPU.</remarks>
public sealed class PerfEventLink : ILink
{
    const uint AttachTypePerfEvent = 41;

    PerfEventLink(PerfEventHandle perfEvent, LinkHandle? link, string programName, string target)
    {
        PerfEvent = perfEvent;
        Link = link;
        ProgramName = programName;
        Target = target;
    }

    public string Target { get; }
    public string ProgramName { get; }
    public PerfEventHandle PerfEvent { get; }
    /// <summary>The BPF link, or null when attached with the PERF_EVENT_IOC_SET_BPF fallback.</summary>
    public LinkHandle? Link { get; }

    /// <param name="cookie">The BPF cookie programs read with bpf_get_attach_cookie (BPF links only: the ioctl has none).</param>
    internal static PerfEventLink Attach(Program program, PerfEventAttr attr, int pid, int cpu, string target, Func<int, string?> openHint,
        bool tryBpfLink = true, ulong cookie = 0)
    {
        int perfFd = PerfEvents.Open(ref attr, pid, cpu, out int errno);
        if (perfFd < 0) throw new BpfException($"open the perf event of {target}", errno, openHint(errno));
        var perfEvent = new PerfEventHandle(perfFd);
        try
        {
            string step = $"attach program '{program.Name}' to {target}";
            using var prog = program.Handle.Lease();
            var linkAttr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, Target = (uint)perfFd, AttachType = AttachTypePerfEvent, PerfEventBpfCookie = cookie };
            int linkFd = -1;
            errno = Errno.EINVAL;
            if (tryBpfLink) linkFd = BpfLink.Create(ref linkAttr, out errno);
            LinkHandle? link = null;
            if (linkFd >= 0)
            {
                link = new LinkHandle(linkFd);
            }
            else if (errno is Errno.EINVAL or Errno.ENOTSUPP or Errno.EOPNOTSUPP)
            {
                // Kernels before 5.15 have no perf links: attach with the ioctl (the perf event fd owns the attachment).
                if (PerfEvents.Ioctl(perfFd, PerfEvents.IocSetBpf, prog.Fd, out errno) < 0)
                    throw new BpfException(step, errno, AttachHint(program, errno));
            }
            else
            {
                throw new BpfException(step, errno, AttachHint(program, errno));
            }
            try
            {
                if (PerfEvents.Ioctl(perfFd, PerfEvents.IocEnable, 0, out errno) < 0)
                    throw new BpfException($"enable the perf event of {target}", errno);
            }
            catch
            {
                link?.Dispose();
                throw;
            }
            return new PerfEventLink(perfEvent, link, program.Name, target);
        }
        catch
        {
            perfEvent.Dispose();
            throw;
        }
    }

    static string? AttachHint(Program program, int errno) => errno switch
    {
        Errno.EINVAL => $"a {program.Type} program cannot be attached to this kind of perf event (tracepoints need tracepoint programs; kprobes and uprobes need kprobe programs)",
        Errno.EEXIST => "this program is already attached to the event",
        _ => null,
    };

    /// <summary>Where the BPF link is pinned, if it is.</summary>
    public string? PinnedPath { get; private set; }

    /// <summary>Pins the BPF link on a bpffs mount: the program stays attached to the event after this process lets go.</summary>
    public void Pin(string path)
    {
        if (Link is null)
            throw new InvalidOperationException($"program '{ProgramName}' is attached to {Target} with PERF_EVENT_IOC_SET_BPF (this kernel has no perf links), which cannot be pinned");
        ObjectInfo.Pin(Link, path, $"pin the link of program '{ProgramName}' ({Target}) at '{path}'");
        PinnedPath = path;
    }

    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    /// <summary>What the kernel reports about the BPF link (BPF_LINK_TYPE_PERF_EVENT); null with the ioctl fallback.</summary>
    public LinkInfo? GetInfo()
    {
        if (Link is null) return null;
        var info = ObjectInfo.Get<KernelLinkInfo>(Link, $"get info of the link of program '{ProgramName}' ({Target})");
        return new LinkInfo(info.Id, (LinkType)info.Type, info.ProgId);
    }

    /// <summary>Detaches now: this link's pin (if any) is removed first, so closing the link and the event detaches.</summary>
    public void Detach()
    {
        Unpin();
        Dispose();
    }

    public void Dispose()
    {
        if (!PerfEvent.IsClosed && Link is null)
            PerfEvents.Ioctl((int)PerfEvent.DangerousGetHandle(), PerfEvents.IocDisable, 0, out _);
        Link?.Dispose();
        PerfEvent.Dispose();
    }

    public override string ToString() => $"{nameof(PerfEventLink)}: program '{ProgramName}' on {Target}";
}
