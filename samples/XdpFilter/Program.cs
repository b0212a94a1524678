using Ebpf.Object;
using Ebpf.Runtime;

namespace XdpFilter;

/// <summary>User space of the XdpFilter sample: loads the embedded XdpFilter.bpf.o, blocks the
/// given UDP ports, then (1) runs the program on crafted packets with BPF_PROG_TEST_RUN and
/// (2) attaches it to a veth pair in a network namespace it creates, sends real datagrams
/// through it, and shows what arrived and the passed/dropped counters.</summary>
public static class Program
{
    const string Usage = "usage: XdpFilter [--block PORT]... [--open PORT] [--no-veth]   (run as root)";

    public static int Main(string[] args)
    {
        var blocked = new List<ushort>();
        ushort open = 7000;
        bool veth = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--block" when i + 1 < args.Length && ushort.TryParse(args[i + 1], out var b): blocked.Add(b); i++; break;
                case "--open" when i + 1 < args.Length && ushort.TryParse(args[i + 1], out var o): open = o; i++; break;
                case "--no-veth": veth = false; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"XdpFilter: unexpected argument '{args[i]}'\n{Usage}"); return 2;
            }
        }
        if (blocked.Count == 0) blocked.Add(7001);
        if (blocked.Contains(open)) { Console.Error.WriteLine($"XdpFilter: port {open} is both open and blocked"); return 2; }

        try
        {
            // Typed accessors generated from XdpFilter.Probe.cs: no map or program is named by a string.
            using var filter = XdpFilter.Load();
            foreach (var port in blocked) filter.BlockedPorts.Update(port, 1);
            var program = filter.Filter;
            var stats = filter.Stats;

            Console.WriteLine($"Blocked UDP ports: {string.Join(", ", blocked)}");
            Console.WriteLine("1. BPF_PROG_TEST_RUN on crafted packets:");
            foreach (var (name, packet) in CraftedPackets(blocked[0], open))
                Console.WriteLine($"   {name,-34} -> {(Ebpf.XdpAction)program.Program.TestRun(packet).ReturnValue}");
            PrintCounters(stats);

            if (veth) RunOnVeth(program, stats, blocked[0], open);
            return 0;
        }
        catch (Exception e) when (e is LoadException or BpfException or ObjectFormatException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"XdpFilter: {e.Message}");
            return 1;
        }
    }

    public static IEnumerable<(string Name, byte[] Packet)> CraftedPackets(ushort blocked, ushort open) =>
    [
        ($"UDP to blocked port {blocked}", Packets.Udp(blocked)),
        ($"UDP to open port {open}", Packets.Udp(open)),
        ($"UDP to {blocked} with IP options", Packets.Udp(blocked, ipOptionsBytes: 8)),
        ($"TCP to port {blocked}", Packets.Tcp(blocked)),
        ("ARP request", Packets.Arp()),
        ("truncated UDP (UDP header cut)", Packets.Truncate(Packets.Udp(blocked), 14 + 20 + 3)),
        ("Ethernet header only (IPv4 type)", Packets.Truncate(Packets.Udp(blocked), 14)),
    ];

    static void RunOnVeth(XdpFilter.FilterProgram program, Map<uint, ulong> stats, ushort blocked, ushort open)
    {
        const int datagrams = 5;
        Console.WriteLine("2. Attached to a veth pair in a network namespace:");
        using var veth = VethNamespace.Create();
        using var link = program.Attach(veth.HostInterface);
        ulong droppedBefore = stats.Lookup(XdpFilter.DroppedSlot);

        using var openSocket = VethNamespace.ListenOnHost(open);
        using var blockedSocket = VethNamespace.ListenOnHost(blocked);
        veth.SendFromInside(datagrams, open, blocked);
        Console.WriteLine($"   sent {datagrams} datagrams to each of ports {open} and {blocked} from {VethNamespace.PeerAddress}");
        Console.WriteLine($"   received on open port {open}: {VethNamespace.CountArrivals(openSocket)}, on blocked port {blocked}: {VethNamespace.CountArrivals(blockedSocket)}");
        Console.WriteLine($"   dropped by XDP on {veth.HostInterface}: {stats.Lookup(XdpFilter.DroppedSlot) - droppedBefore}");
        PrintCounters(stats);
    }

    static void PrintCounters(Map<uint, ulong> stats) =>
        Console.WriteLine($"   counters: passed {stats.Lookup(XdpFilter.PassedSlot)}, dropped {stats.Lookup(XdpFilter.DroppedSlot)}");
}
