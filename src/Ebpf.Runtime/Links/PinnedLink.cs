using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>A BPF link reopened from its pin on bpffs (BPF_OBJ_GET), possibly by another process than the one that
/// attached it: inspect it, pin it elsewhere, or detach it. <see cref="BpfLink.Detach"/> uses BPF_LINK_DETACH where the
/// link type has it (XDP, tcx, cgroup, netns, netkit, netfilter); otherwise it removes the pin this link was opened from
/// before closing, so the close drops the last reference and detaches (if no other pin or fd holds the link).</summary>
public sealed class PinnedLink : BpfLink
{
    PinnedLink(LinkHandle handle, string target, LinkInfo info) : base(handle, $"id {info.ProgramId}", target) => Info = info;

    /// <summary>What the kernel reported when the link was opened.</summary>
    public LinkInfo Info { get; }

    /// <summary>Opens the link pinned at <paramref name="path"/>; <see cref="ArgumentException"/> when the pin is not a link.</summary>
    public static PinnedLink Open(string path)
    {
        int fd = ObjectInfo.Get(path, out int errno);
        if (fd < 0) throw new BpfException($"open the link pinned at '{path}'", errno, ObjectInfo.PinHint(path, errno));
        var handle = new LinkHandle(fd);
        try
        {
            // BPF_OBJ_GET opens maps and programs as well; the fd's anon inode says which it is.
            string kind = new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "?";                 // anon_inode:bpf-link
            if (kind != "anon_inode:bpf-link")
                throw new ArgumentException($"'{path}' is not a pinned link: it holds {kind.Replace("anon_inode:", "", StringComparison.Ordinal)}", nameof(path));
            var info = ObjectInfo.Get<KernelLinkInfo>(handle, $"get info of the link pinned at '{path}'");
            var linkInfo = new LinkInfo(info.Id, (LinkType)info.Type, info.ProgId);
            var link = new PinnedLink(handle, $"{linkInfo.Type} link {linkInfo.Id} pinned at {path}", linkInfo);
            link.AdoptPin(path);
            return link;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
