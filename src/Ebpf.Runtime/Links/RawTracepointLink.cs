using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A raw tracepoint attachment (BPF_RAW_TRACEPOINT_OPEN, link type BPF_LINK_TYPE_RAW_TRACEPOINT): the program
/// gets the tracepoint's raw arguments (<c>u64 args[]</c>).</summary>
public sealed class RawTracepointLink : BpfLink
{
    RawTracepointLink(LinkHandle handle, string programName, string tracepoint)
        : base(handle, programName, $"raw tracepoint {tracepoint}")
    {
        Tracepoint = tracepoint;
    }

    /// <summary>The tracepoint's name (<c>sys_enter</c>, <c>sched_switch</c>).</summary>
    public string Tracepoint { get; }

    /// <summary>BPF_RAW_TRACEPOINT_OPEN: by name for raw_tp programs; with no name (<paramref name="byName"/> false) for
    /// tp_btf programs, whose tracepoint the kernel knows from attach_btf_id.</summary>
    internal static unsafe RawTracepointLink Attach(Program program, string tracepoint, bool byName = true)
    {
        var name = ObjectInfo.NulTerminated(tracepoint);
        fixed (byte* n = name)
        {
            using var prog = program.Handle.Lease();
            var attr = new RawTracepointOpenAttr { Name = byName ? (ulong)n : 0, ProgFd = (uint)prog.Fd };
            int fd = BpfSyscall.Invoke(BpfCommand.RawTracepointOpen, ref attr, out int errno);
            if (fd < 0)
                throw new BpfException($"attach program '{program.Name}' to raw tracepoint '{tracepoint}'", errno, errno switch
                {
                    Errno.ENOENT => $"the kernel has no tracepoint named '{tracepoint}' (raw tracepoints use the bare event name, e.g. sys_enter)",
                    Errno.EINVAL => $"a {program.Type} program cannot be attached with BPF_RAW_TRACEPOINT_OPEN (needs a raw_tp program)",
                    _ => null,
                });
            return new RawTracepointLink(new LinkHandle(fd), program.Name, tracepoint);
        }
    }
}
