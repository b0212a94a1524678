using Ebpf.Runtime.Syscalls;
using Microsoft.Win32.SafeHandles;

namespace Ebpf.Runtime;

/// <summary>A BPF iterator (<c>SEC("iter/task")</c>, <c>iter/bpf_map</c>...; kernel 5.8+): a link (BPF_LINK_CREATE with
/// BPF_TRACE_ITER, link type BPF_LINK_TYPE_ITER) from which each <see cref="Open"/> starts one walk whose output
/// (what the program writes with <c>bpf_seq_printf</c>/<c>bpf_seq_write</c>) is read as a stream.</summary>
public sealed class IteratorLink : BpfLink
{
    IteratorLink(LinkHandle handle, string programName, string target) : base(handle, programName, target)
    {
    }

    internal static unsafe IteratorLink Attach(Program program)
    {
        string target = $"iterator {program.Spec.AttachTarget}";
        using var prog = program.Handle.Lease();
        var attr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, AttachType = (uint)Ebpf.Object.AttachType.TraceIter };
        int fd = Create(ref attr, out int errno);
        if (fd < 0)
            throw new BpfException($"attach program '{program.Name}' as {target}", errno, errno switch
            {
                Errno.EINVAL => $"program '{program.Name}' is not an iterator program (section iter/NAME), or this iterator needs parameters (map or cgroup)",
                _ => null,
            });
        return new IteratorLink(new LinkHandle(fd), program.Name, target);
    }

    /// <summary>Starts a walk (BPF_ITER_CREATE) and returns its output as a read-only, non-seekable stream; each call is a
    /// new walk. Dispose the stream when done.</summary>
    public Stream Open()
    {
        using var link = Handle.Lease();
        var attr = new IterCreateAttr { LinkFd = (uint)link.Fd };
        int fd = BpfSyscall.InvokeOrThrow(BpfCommand.IterCreate, ref attr, $"start iterator of program '{ProgramName}'");
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }

    /// <summary>One whole walk's output as text.</summary>
    public string ReadAllText()
    {
        using var reader = new StreamReader(Open());
        return reader.ReadToEnd();
    }
}
