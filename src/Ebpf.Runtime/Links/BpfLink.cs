using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A BPF link object (an fd from BPF_LINK_CREATE or BPF_RAW_TRACEPOINT_OPEN): closing its last fd detaches the
/// program; pinning it on bpffs keeps the attachment alive beyond this process.</summary>
public abstract class BpfLink : ILink
{
    protected BpfLink(LinkHandle handle, string programName, string target)
    {
        Handle = handle;
        ProgramName = programName;
        Target = target;
    }

    public LinkHandle Handle { get; }
    public string ProgramName { get; }
    public string Target { get; }
    public string? PinnedPath { get; private set; }

    public LinkInfo GetInfo()
    {
        var info = ObjectInfo.Get<KernelLinkInfo>(Handle, $"get info of the link of program '{ProgramName}' ({Target})");
        return new LinkInfo(info.Id, (LinkType)info.Type, info.ProgId);
    }

    /// <summary>Pins the link on a bpffs mount (BPF_OBJ_PIN): the program stays attached until the pin is removed.</summary>
    public void Pin(string path)
    {
        ObjectInfo.Pin(Handle, path, $"pin the link of program '{ProgramName}' ({Target}) at '{path}'");
        PinnedPath = path;
    }

    /// <summary>Records that this link is pinned at <paramref name="path"/> without pinning it again (a link opened from its pin).</summary>
    private protected void AdoptPin(string path) => PinnedPath = path;

    /// <summary>Removes the pin. If it held the last reference (this link's fd already disposed), the kernel detaches
    /// the program from a work queue, shortly after rather than before this returns.</summary>
    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    /// <summary>Detaches now: BPF_LINK_DETACH where the link type supports it (XDP, tcx, cgroup, netns, netkit...), which
    /// also defeats pins held by others; otherwise this link's own pin is removed before its fd is closed, so the close
    /// drops the last reference and detaches synchronously.</summary>
    public void Detach()
    {
        if (!Handle.IsClosed)
        {
            using var fd = Handle.Lease();
            var attr = new LinkDetachAttr { LinkFd = (uint)fd.Fd };
            if (BpfSyscall.Invoke(BpfCommand.LinkDetach, ref attr, out int errno) < 0)
            {
                if (errno is not (Errno.EOPNOTSUPP or Errno.ENOTSUPP or Errno.EINVAL))
                    throw new BpfException($"detach program '{ProgramName}' from {Target}", errno);
                Unpin();
            }
        }
        Dispose();
    }

    public void Dispose()
    {
        Handle.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"{GetType().Name}: program '{ProgramName}' on {Target}";

    /// <summary>BPF_LINK_CREATE; returns the link fd or -1 with errno.</summary>
    internal static int Create(ref LinkCreateAttr attr, out int errno) => BpfSyscall.Invoke(BpfCommand.LinkCreate, ref attr, out errno);

    /// <summary>BPF_LINK_CREATE of <paramref name="program"/> on network interface <paramref name="ifindex"/> (XDP, tcx,
    /// netkit): the new link's fd, or a <see cref="BpfException"/> naming <paramref name="step"/> with
    /// <paramref name="hint"/>'s reading of the kernel's errno.</summary>
    private protected static LinkHandle CreateOnInterface(Program program, int ifindex, uint attachType, uint flags, string step, Func<int, string?> hint)
    {
        using var prog = program.Handle.Lease();
        var attr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, Target = (uint)ifindex, AttachType = attachType, Flags = flags };
        int fd = Create(ref attr, out int errno);
        if (fd < 0) throw new BpfException(step, errno, hint(errno));
        return new LinkHandle(fd);
    }
}
