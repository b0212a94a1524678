// Reflects every Ethernet frame: swaps source and destination MAC addresses and returns XDP_TX.
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct MacAddress { public ushort Word0; public ushort Word1; public ushort Word2; }

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EthernetHeader { public MacAddress Destination; public MacAddress Source; public ushort EtherType; }

[BpfObject(License = "GPL")]
public static partial class XdpMacSwap
{
    [Xdp]
    static XdpAction Reflect(XdpContext ctx)
    {
        if (!ctx.TryRead(0, out EthernetHeader eth)) return XdpAction.Drop;
        (eth.Destination, eth.Source) = (eth.Source, eth.Destination);
        ctx.TryWrite(0, eth);
        return XdpAction.Tx;
    }
}
