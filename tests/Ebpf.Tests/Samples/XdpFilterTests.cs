using System.Buffers.Binary;
using Ebpf.Tests.Support;
using Probe = XdpFilter.XdpFilter;

namespace Ebpf.Tests.Samples;

/// <summary>The XdpFilter sample's program, run in-process on crafted packets.</summary>
[Collection(nameof(XdpFilterTests))]
public sealed class XdpFilterTests : IDisposable
{
    readonly Func<XdpContext, XdpAction> _filter = StaticMembers.Method<Func<XdpContext, XdpAction>>(typeof(Probe), "Filter");
    readonly HashMap<ushort, byte> _blocked = StaticMembers.Field<HashMap<ushort, byte>>(typeof(Probe), "BlockedPorts");
    readonly ArrayMap<ulong> _stats = StaticMembers.Field<ArrayMap<ulong>>(typeof(Probe), "Stats");

    public XdpFilterTests()
    {
        _blocked.Clear();
        _stats.Clear();
        Assert.Equal(0, _blocked.Update(53, 1));
        Assert.Equal(0, _blocked.Update(5353, 1));
    }

    public void Dispose()
    {
        _blocked.Clear();
        _stats.Clear();
    }

    XdpAction Run(byte[] frame)
    {
        using var packet = new XdpPacket(frame);
        return _filter(packet.Context);
    }

    [Fact]
    public void Udp_to_a_blocked_port_is_dropped()
    {
        Assert.Equal(XdpAction.Drop, Run(Packets.Udp(destinationPort: 53)));
        Assert.Equal(XdpAction.Drop, Run(Packets.Udp(destinationPort: 5353)));
        Assert.Equal(0UL, _stats[Probe.PassedSlot]);
        Assert.Equal(2UL, _stats[Probe.DroppedSlot]);
    }

    [Fact]
    public void Udp_to_an_open_port_passes()
    {
        Assert.Equal(XdpAction.Pass, Run(Packets.Udp(destinationPort: 54)));
        Assert.Equal(1UL, _stats[Probe.PassedSlot]);
        Assert.Equal(0UL, _stats[Probe.DroppedSlot]);
    }

    [Fact]
    public void Tcp_to_a_blocked_port_number_passes()
    {
        Assert.Equal(XdpAction.Pass, Run(Packets.Ipv4(protocol: 6, Packets.UdpHeader(1234, 53))));
        Assert.Equal(1UL, _stats[Probe.PassedSlot]);
    }

    [Fact]
    public void Ip_options_move_the_udp_header()
    {
        // IHL 6: 4 bytes of options; the UDP header (to port 53) starts at 14 + 24.
        Assert.Equal(XdpAction.Drop, Run(Packets.Ipv4(protocol: 17, Packets.UdpHeader(1234, 53), optionWords: 1)));
    }

    [Fact]
    public void Non_ipv4_frames_pass()
    {
        var frame = Packets.Udp(destinationPort: 53);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x86DD);   // IPv6 EtherType
        Assert.Equal(XdpAction.Pass, Run(frame));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]         // no complete Ethernet header
    [InlineData(14 + 19)]    // IPv4 header cut short
    [InlineData(14 + 20 + 7)] // UDP header cut short
    public void Truncated_packets_pass(int length)
    {
        var frame = Packets.Udp(destinationPort: 53).AsSpan(0, length).ToArray();
        Assert.Equal(XdpAction.Pass, Run(frame));
        Assert.Equal(1UL, _stats[Probe.PassedSlot]);
        Assert.Equal(0UL, _stats[Probe.DroppedSlot]);
    }

    [Fact]
    public void A_header_length_below_the_minimum_passes()
    {
        var frame = Packets.Udp(destinationPort: 53);
        frame[14] = 0x44;   // IHL 4 (16 bytes): invalid
        Assert.Equal(XdpAction.Pass, Run(frame));
    }
}
