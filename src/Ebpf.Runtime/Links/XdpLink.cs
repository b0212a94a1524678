using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>XDP attach modes (XDP_FLAGS_*_MODE).</summary>
public enum XdpAttachMode : uint
{
    /// <summary>The best the driver offers (native if supported, else generic).</summary>
    Default = 0,
    /// <summary>XDP_FLAGS_SKB_MODE: generic XDP in the network stack, any interface.</summary>
    Generic = 2,
    /// <summary>XDP_FLAGS_DRV_MODE: in the driver (veth, mlx5, ...).</summary>
    Driver = 4,
    /// <summary>XDP_FLAGS_HW_MODE: offloaded to the NIC.</summary>
    Offload = 8,
}

/// <summary>An XDP program attached to a network interface (BPF_LINK_CREATE with BPF_XDP, link type BPF_LINK_TYPE_XDP).</summary>
public sealed class XdpLink : BpfLink
{
    const uint AttachTypeXdp = 37;

    XdpLink(LinkHandle handle, string programName, int ifindex, string interfaceName, XdpAttachMode mode)
        : base(handle, programName, $"xdp on {interfaceName} (ifindex {ifindex}, {mode} mode)")
    {
        InterfaceIndex = ifindex;
        Mode = mode;
    }

    public int InterfaceIndex { get; }
    public XdpAttachMode Mode { get; }

    internal static XdpLink Attach(Program program, int ifindex, XdpAttachMode mode)
    {
        string name = NetworkInterfaces.NameOf(ifindex);
        var handle = CreateOnInterface(program, ifindex, AttachTypeXdp, (uint)mode, $"attach XDP program '{program.Name}' to {name} (ifindex {ifindex})",
            errno => errno switch
            {
                Errno.EBUSY or Errno.EEXIST => $"{name} already has an XDP program in this mode (detach it first: ip link set dev {name} xdp off)",
                Errno.EOPNOTSUPP or Errno.ENOTSUPP => $"the driver of {name} does not support {mode} mode XDP (use Generic)",
                Errno.ENODEV => $"no interface with index {ifindex}",
                Errno.EINVAL => $"check the program type ({program.Type}; needs xdp) and the mode flags",
                _ => null,
            });
        return new XdpLink(handle, program.Name, ifindex, name, mode);
    }
}
