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

    public void Unpin()
    {
        if (PinnedPath is null) return;
        File.Delete(PinnedPath);
        PinnedPath = null;
    }

    /// <summary>BPF_LINK_DETACH: detaches even when pinned or shared, then closes the fd.</summary>
    public void Detach()
    {
        if (!Handle.IsClosed)
        {
            using var fd = Handle.Lease();
            var attr = new LinkDetachAttr { LinkFd = (uint)fd.Fd };
            BpfSyscall.InvokeOrThrow(BpfCommand.LinkDetach, ref attr, $"detach program '{ProgramName}' from {Target}");
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
}
