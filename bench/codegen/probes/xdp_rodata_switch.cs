// A policy chosen before load in .rodata (mode, port, verbose counting): the verifier sees the
// constants and prunes the modes that are off.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Ipv4Header
{
    public byte VersionIhl; public byte Tos; public ushort TotalLength; public ushort Id; public ushort FragmentOffset;
    public byte Ttl; public byte Protocol; public ushort Checksum; public uint Source; public uint Destination;
}

public struct UdpHeader { public ushort SourcePort; public ushort DestinationPort; public ushort Length; public ushort Checksum; }

public enum Mode : uint { PassAll = 0, DropUdp = 1, DropPort = 2, DropNonIp = 3 }

[BpfObject(License = "GPL")]
public static partial class XdpRodataSwitch
{
    static readonly Mode ActiveMode = Mode.DropPort;
    static readonly ushort Port = 53;
    static readonly bool CountSeen = true;

    static ulong Seen;

    [Xdp]
    static XdpAction Policy(XdpContext ctx)
    {
        if (CountSeen) Seen++;
        if (ActiveMode == Mode.PassAll) return XdpAction.Pass;
        if (!ctx.TryRead(12, out ushort etherType)) return XdpAction.Pass;
        if (etherType != BinaryPrimitives.ReverseEndianness((ushort)0x0800)) return ActiveMode == Mode.DropNonIp ? XdpAction.Drop : XdpAction.Pass;
        if (!ctx.TryRead(14, out Ipv4Header ip) || ip.Protocol != 17) return XdpAction.Pass;
        if (ActiveMode == Mode.DropUdp) return XdpAction.Drop;
        if (ActiveMode != Mode.DropPort) return XdpAction.Pass;
        if (!ctx.TryRead(34, out UdpHeader udp)) return XdpAction.Pass;
        return udp.DestinationPort == BinaryPrimitives.ReverseEndianness(Port) ? XdpAction.Drop : XdpAction.Pass;
    }
}
