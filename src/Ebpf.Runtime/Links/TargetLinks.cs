using System.Runtime.InteropServices;
using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>An sk_lookup or flow dissector program attached to a network namespace (BPF_LINK_CREATE with the
/// namespace's fd, link type BPF_LINK_TYPE_NETNS).</summary>
public sealed class NetnsLink : BpfLink
{
    NetnsLink(LinkHandle handle, string programName, string target) : base(handle, programName, target) { }

    internal static NetnsLink Attach(Program program, string netnsPath)
    {
        string target = $"network namespace {netnsPath} ({program.ExpectedAttachType})";
        int nsFd = Libc.Open(netnsPath, Libc.ORdOnly | Libc.OCloexec);
        if (nsFd < 0) throw new BpfException($"open network namespace '{netnsPath}'", Marshal.GetLastPInvokeError(), "expected a namespace file such as /proc/self/ns/net");
        try
        {
            using var prog = program.Handle.Lease();
            var attr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, Target = (uint)nsFd, AttachType = (uint)program.ExpectedAttachType };
            int fd = Create(ref attr, out int errno);
            if (fd < 0) throw new BpfException($"attach program '{program.Name}' to {target}", errno,
                errno == Errno.EEXIST ? "the namespace already has a program of this kind" : null);
            return new NetnsLink(new LinkHandle(fd), program.Name, target);
        }
        finally
        {
            Libc.Close(nsFd);
        }
    }
}

/// <summary>An sk_msg or sk_skb program attached to a sockmap or sockhash (BPF_LINK_CREATE with the map's fd,
/// link type BPF_LINK_TYPE_SOCKMAP, kernel 6.10+).</summary>
public sealed class SockMapLink : BpfLink
{
    SockMapLink(LinkHandle handle, string programName, string target) : base(handle, programName, target) { }

    internal static SockMapLink Attach(Program program, Map map)
    {
        if (map.Type is not (MapType.SockMap or MapType.SockHash))
            throw new ArgumentException($"map '{map.Name}' is a {MapKinds.KernelName(map.Type)}; sk_msg and sk_skb programs attach to a sockmap or sockhash", nameof(map));
        string target = $"map {map.Name} ({program.ExpectedAttachType})";
        using var prog = program.Handle.Lease();
        using var mapFd = map.Handle.Lease();
        var attr = new LinkCreateAttr { ProgFd = (uint)prog.Fd, Target = (uint)mapFd.Fd, AttachType = (uint)program.ExpectedAttachType };
        int fd = Create(ref attr, out int errno);
        if (fd < 0) throw new BpfException($"attach program '{program.Name}' to {target}", errno,
            errno == Errno.EINVAL ? "sockmap links need Linux 6.10+" : null);
        return new SockMapLink(new LinkHandle(fd), program.Name, target);
    }
}

/// <summary>A netfilter program attached to a hook (BPF_LINK_CREATE with <c>netfilter</c> options, link type
/// BPF_LINK_TYPE_NETFILTER, kernel 6.4+).</summary>
public sealed class NetfilterLink : BpfLink
{
    NetfilterLink(LinkHandle handle, string programName, string target) : base(handle, programName, target) { }

    internal static NetfilterLink Attach(Program program, uint protocolFamily, uint hook, int priority)
    {
        string target = $"netfilter pf {protocolFamily} hook {hook} priority {priority}";
        using var prog = program.Handle.Lease();
        var attr = new LinkCreateAttr
        {
            ProgFd = (uint)prog.Fd, AttachType = (uint)AttachType.Netfilter,
            NetfilterPf = protocolFamily, NetfilterHooknum = hook, NetfilterPriority = priority,
        };
        int fd = Create(ref attr, out int errno);
        if (fd < 0) throw new BpfException($"attach program '{program.Name}' to {target}", errno,
            errno == Errno.EINVAL ? "pf is NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10), hook an NF_INET_* hook, and priority not the first or last" : null);
        return new NetfilterLink(new LinkHandle(fd), program.Name, target);
    }
}
