using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Which side of a netkit device pair a program runs for.</summary>
public enum NetkitSide
{
    /// <summary>BPF_NETKIT_PRIMARY (54): packets the primary device (usually in the host namespace) transmits.</summary>
    Primary = 54,
    /// <summary>BPF_NETKIT_PEER (55): packets the peer device (usually in a container's namespace) transmits.</summary>
    Peer = 55,
}

/// <summary>A tc program (BPF_PROG_TYPE_SCHED_CLS) attached to a netkit device pair (BPF_LINK_CREATE with
/// BPF_NETKIT_PRIMARY/PEER, kernel 6.7+ built with CONFIG_NETKIT, link type BPF_LINK_TYPE_NETKIT). Both sides attach
/// through the primary device's ifindex; the side says whose traffic the program sees.</summary>
public sealed class NetkitLink : BpfLink
{
    NetkitLink(LinkHandle handle, string programName, int ifindex, string interfaceName, NetkitSide side)
        : base(handle, programName, $"netkit {side.ToString().ToLowerInvariant()} of {interfaceName} (ifindex {ifindex})")
    {
        InterfaceIndex = ifindex;
        Side = side;
    }

    /// <summary>The primary device's ifindex.</summary>
    public int InterfaceIndex { get; }
    public NetkitSide Side { get; }

    internal static NetkitLink Attach(Program program, int ifindex, NetkitSide side)
    {
        string name = NetworkInterfaces.NameOf(ifindex);
        var handle = CreateOnInterface(program, ifindex, (uint)side, 0, $"attach tc program '{program.Name}' to the netkit {side.ToString().ToLowerInvariant()} of {name} (ifindex {ifindex})",
            errno => Hint(errno, program, ifindex));
        return new NetkitLink(handle, program.Name, ifindex, name, side);
    }

    /// <summary>What the kernel's errno means for this attach (kernel/bpf/syscall.c link_create, drivers/net/netkit.c).</summary>
    internal static string? Hint(int errno, Program program, int ifindex) => errno switch
    {
        Errno.EINVAL => program.Type == Ebpf.Object.ProgramType.SchedCls
            ? "this kernel has no netkit (it needs 6.7+ built with CONFIG_NETKIT; /proc/config.gz or /boot/config-* says whether it is)"
            : $"netkit needs a sched_cls program (this is {program.Type})",
        Errno.ENXIO => $"interface {ifindex} is not a netkit device",
        Errno.EACCES => $"interface {ifindex} is a netkit peer: attach through the primary device, with NetkitSide.Peer for the peer's traffic",
        Errno.ENODEV => $"no interface with index {ifindex}, or the netkit device has no peer",
        _ => null,
    };
}
