using System.Runtime.InteropServices;
using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A cgroup program (cgroup_skb, cgroup_sock, cgroup_sock_addr, sockops, sysctl, sockopt, device) attached to
/// a cgroup v2 directory with BPF_LINK_CREATE (link type BPF_LINK_TYPE_CGROUP): it runs for the processes of that
/// cgroup and its descendants.</summary>
public sealed class CgroupLink : BpfLink
{
    CgroupLink(LinkHandle handle, string programName, string target, string cgroupPath, AttachType attachType)
        : base(handle, programName, target)
    {
        CgroupPath = cgroupPath;
        AttachType = attachType;
    }

    public string CgroupPath { get; }
    public AttachType AttachType { get; }

    internal static CgroupLink Attach(Program program, string cgroupPath, AttachType attachType)
    {
        string target = $"cgroup {cgroupPath} ({attachType})";
        int cgroupFd = Libc.Open(cgroupPath, Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec);
        if (cgroupFd < 0)
        {
            int openErrno = Marshal.GetLastPInvokeError();
            throw new BpfException($"open cgroup '{cgroupPath}'", openErrno,
                openErrno is Errno.ENOENT or 20 /* ENOTDIR */ ? "expected a cgroup v2 directory, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified/NAME" : null);
        }
        try
        {
            using var prog = program.Handle.Lease();
            var attr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, Target = (uint)cgroupFd, AttachType = (uint)attachType };
            int fd = Create(ref attr, out int errno);
            if (fd < 0)
                throw new BpfException($"attach program '{program.Name}' to {target}", errno, errno switch
                {
                    Errno.EINVAL => $"a {program.Type} program (expected attach type {program.ExpectedAttachType}) cannot attach as {attachType}, or '{cgroupPath}' is not on cgroup v2",
                    Errno.EBADF => $"'{cgroupPath}' is not a cgroup directory",
                    _ => null,
                });
            return new CgroupLink(new LinkHandle(fd), program.Name, target, cgroupPath, attachType);
        }
        finally
        {
            Libc.Close(cgroupFd);
        }
    }
}
