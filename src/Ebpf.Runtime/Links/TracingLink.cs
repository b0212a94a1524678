using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A program attached to a kernel function through its BTF (fentry, fexit, fmod_ret, LSM hooks): BPF_RAW_TRACEPOINT_OPEN
/// without a name, the target taken from the program's attach_btf_id (link type BPF_LINK_TYPE_TRACING).</summary>
public sealed class TracingLink : BpfLink
{
    TracingLink(LinkHandle handle, string programName, string target) : base(handle, programName, target)
    {
    }

    internal static TracingLink Attach(Program program)
    {
        string target = $"{program.ExpectedAttachType} {program.Spec.AttachTarget}";
        using var prog = program.Handle.Lease();
        var attr = new RawTracepointOpenAttr { ProgFd = (uint)prog.Fd };
        int fd = BpfSyscall.Invoke(BpfCommand.RawTracepointOpen, ref attr, out int errno);
        if (fd < 0)
            throw new BpfException($"attach program '{program.Name}' to {target}", errno, errno switch
            {
                Errno.EINVAL => $"a {program.Type} program with expected attach type {program.ExpectedAttachType} cannot be attached this way",
                Errno.EBUSY or Errno.EEXIST => "the program is already attached",
                _ => null,
            });
        return new TracingLink(new LinkHandle(fd), program.Name, target);
    }
}
