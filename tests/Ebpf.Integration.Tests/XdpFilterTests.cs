using Ebpf.Runtime;
using Ebpf.TestSupport;
using XdpFilter;

namespace Ebpf.Integration.Tests;

/// <summary>The XdpFilter sample compiled by our compiler and run by the kernel: on crafted
/// packets with BPF_PROG_TEST_RUN, and on real datagrams crossing a veth pair.</summary>
public sealed class XdpFilterTests
{
    const ushort Blocked = 5353, Open = 8080;
    const uint XdpDrop = 1, XdpPass = 2;

    static Collection Load(params ushort[] blocked)
    {
        var collection = Collection.Load(SampleObjects.Compile("XdpFilter").Spec, new CollectionOptions { ObjectName = "XdpFilter" });
        var ports = collection.GetMap<ushort, byte>("BlockedPorts");
        foreach (var port in blocked) ports.Update(port, 1);
        return collection;
    }

    public static TheoryData<string, byte[], uint> Cases => new()
    {
        { "UDP to a blocked port", Packets.Udp(Blocked), XdpDrop },
        { "UDP to a blocked port, IP header with options", Packets.Udp(Blocked, ipOptionsBytes: 12), XdpDrop },
        { "UDP to an open port", Packets.Udp(Open), XdpPass },
        { "TCP to the blocked port number", Packets.Tcp(Blocked), XdpPass },
        { "ARP", Packets.Arp(), XdpPass },
        { "truncated inside the UDP header", Packets.Truncate(Packets.Udp(Blocked), 14 + 20 + 3), XdpPass },
        { "truncated inside the IPv4 header", Packets.Truncate(Packets.Udp(Blocked), 14 + 10), XdpPass },
        // BPF_PROG_TEST_RUN refuses XDP input shorter than an Ethernet header (EINVAL), so the shortest case is a bare one.
        { "Ethernet header only, IPv4 type", Packets.Truncate(Packets.Udp(Blocked), 14), XdpPass },
        { "IP options run past the end", Packets.Truncate(Packets.Udp(Blocked, ipOptionsBytes: 40), 14 + 30), XdpPass },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Test_run_returns_the_expected_action_and_counts_it(string name, byte[] packet, uint expected)
    {
        Kernel.RequireBpf();
        using var collection = Load(Blocked);
        var result = collection.GetProgram("Filter").TestRun(packet);
        Assert.True(expected == result.ReturnValue, $"{name}: expected {expected}, got {result.ReturnValue}");

        var stats = collection.GetMap<uint, ulong>("Stats");
        Assert.Equal(expected == XdpDrop ? 0ul : 1ul, stats.Lookup(XdpFilter.XdpFilter.PassedSlot));
        Assert.Equal(expected == XdpDrop ? 1ul : 0ul, stats.Lookup(XdpFilter.XdpFilter.DroppedSlot));
    }

    [SkippableFact]
    public void Counters_add_up_over_a_mixed_batch()
    {
        Kernel.RequireBpf();
        using var collection = Load(Blocked, 53);
        var program = collection.GetProgram("Filter");
        int dropped = 0, passed = 0;
        for (int i = 0; i < 30; i++)
        {
            var packet = (i % 3) switch { 0 => Packets.Udp(Blocked), 1 => Packets.Udp(53, payloadBytes: i), _ => Packets.Udp((ushort)(1000 + i)) };
            if (program.TestRun(packet).ReturnValue == XdpDrop) dropped++; else passed++;
        }
        Assert.Equal(20, dropped);
        var stats = collection.GetMap<uint, ulong>("Stats");
        Assert.Equal((ulong)passed, stats.Lookup(XdpFilter.XdpFilter.PassedSlot));
        Assert.Equal((ulong)dropped, stats.Lookup(XdpFilter.XdpFilter.DroppedSlot));
    }

    [SkippableFact]
    public void On_a_veth_pair_blocked_datagrams_never_arrive_and_open_ones_do()
    {
        Kernel.RequireBpf();
        const int datagrams = 8;
        using var collection = Load(Blocked);
        using var veth = VethNamespace.Create();
        using var link = collection.GetProgram("Filter").AttachXdp(veth.HostInterface);
        using var open = VethNamespace.ListenOnHost(Open);
        using var blocked = VethNamespace.ListenOnHost(Blocked);

        veth.SendFromInside(datagrams, Open, Blocked);

        Assert.Equal(datagrams, VethNamespace.CountArrivals(open));
        Assert.Equal(0, VethNamespace.CountArrivals(blocked));
        var stats = collection.GetMap<uint, ulong>("Stats");
        Assert.Equal((ulong)datagrams, stats.Lookup(XdpFilter.XdpFilter.DroppedSlot));
        // ARP and the open datagrams pass (IPv6 neighbour discovery may add a few more).
        Assert.True(stats.Lookup(XdpFilter.XdpFilter.PassedSlot) >= datagrams);
    }
}
