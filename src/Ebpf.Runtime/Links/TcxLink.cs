using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Traffic direction of a tc (tcx) attachment.</summary>
public enum TcxDirection
{
    /// <summary>BPF_TCX_INGRESS (46): packets arriving on the interface.</summary>
    Ingress = 46,
    /// <summary>BPF_TCX_EGRESS (47): packets leaving the interface.</summary>
    Egress = 47,
}

/// <summary>A tc program (BPF_PROG_TYPE_SCHED_CLS) attached with tcx (BPF_LINK_CREATE with BPF_TCX_INGRESS/EGRESS,
/// kernel 6.6+, link type BPF_LINK_TYPE_TCX): no qdisc needed; it runs after tcx programs attached earlier.</summary>
public sealed class TcxLink : BpfLink
{
    TcxLink(LinkHandle handle, string programName, int ifindex, string interfaceName, TcxDirection direction)
        : base(handle, programName, $"tcx {direction.ToString().ToLowerInvariant()} on {interfaceName} (ifindex {ifindex})")
    {
        InterfaceIndex = ifindex;
        Direction = direction;
    }

    public int InterfaceIndex { get; }
    public TcxDirection Direction { get; }

    internal static TcxLink Attach(Program program, int ifindex, TcxDirection direction)
    {
        string name = NetworkInterfaces.NameOf(ifindex);
        var handle = CreateOnInterface(program, ifindex, (uint)direction, 0, $"attach tc program '{program.Name}' to {name} {direction.ToString().ToLowerInvariant()} (ifindex {ifindex})",
            errno => errno switch
            {
                Errno.EINVAL => $"tcx needs a sched_cls program (this is {program.Type}) and kernel 6.6+",
                Errno.ENODEV => $"no interface with index {ifindex}",
                _ => null,
            });
        return new TcxLink(handle, program.Name, ifindex, name, direction);
    }
}
