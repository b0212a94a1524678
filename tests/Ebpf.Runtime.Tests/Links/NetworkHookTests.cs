using System.Net;
using System.Net.Sockets;

namespace Ebpf.Runtime.Tests.Links;

/// <summary>The network hooks beside XDP and tc, each attached through the runtime and triggered for real: netfilter,
/// sk_lookup and the flow dissector (in a network namespace of their own), sk_msg on a sockmap, and the cgroup socket
/// hooks (sock_create, connect4, sockops). Each program counts its runs in .bss Hits and lets the traffic through.</summary>
public class NetworkHookTests
{
    const string Cgroup2Root = "/sys/fs/cgroup/unified";

    static ProgramSpec Counter(string name, ProgramType type, string section, AttachType attachType, int verdict)
        => new ProgramBuilder(name, type, section, attachType)
            .CountHit()
            .Emit(Insn.Mov64(R0, verdict))
            .Emit(Insn.Exit())
            .Build();

    static ExternalTool.Result Shell(string script) => ExternalTool.Run(ExternalTool.Require("bash"), "-c", script);

    [SkippableFact]
    public void Netfilter_local_out_link_counts_this_processes_datagrams_and_stops_at_detach()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(ProbeObjects.WithGlobals(Counter("NfCount", ProgramType.Netfilter, "netfilter", AttachType.Netfilter, verdict: 1)));
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        const uint NfprotoIpv4 = 2, NfInetLocalOut = 3;
        ulong attached;
        using (var link = collection.GetProgram("NfCount").AttachNetfilter(NfprotoIpv4, NfInetLocalOut, priority: 100))
        {
            Assert.Equal(LinkType.Netfilter, link.GetInfo().Type);
            for (int i = 0; i < 5; i++) sender.SendTo("x"u8.ToArray(), receiver.LocalEndPoint!);
            attached = collection.ReadVariable<ulong>("Hits");
            // The hook is the host's: other sessions' IPv4 traffic may add to the count, never take from it.
            Assert.True(attached >= 5, $"the netfilter program saw {attached} packets, 5 datagrams were sent");
            var buffer = new byte[8];
            for (int i = 0; i < 5; i++) Assert.Equal(1, receiver.Receive(buffer));   // NF_ACCEPT: every datagram arrives
        }
        for (int i = 0; i < 5; i++) sender.SendTo("x"u8.ToArray(), receiver.LocalEndPoint!);
        Assert.Equal(attached, collection.ReadVariable<ulong>("Hits"));
    }

    [SkippableFact]
    public void Sk_lookup_link_in_a_new_network_namespace_runs_once_per_datagram_received_there()
    {
        Kernel.RequireBpf();
        using var netns = new NetworkNamespace("l");
        using var collection = Collection.Load(ProbeObjects.WithGlobals(Counter("LookupCount", ProgramType.SkLookup, "sk_lookup", AttachType.SkLookup, verdict: 1)));
        using (var link = collection.GetProgram("LookupCount").AttachNetns(netns.Path))
        {
            Assert.Equal(LinkType.Netns, link.GetInfo().Type);
            netns.Run("for i in 1 2 3 4 5 6; do printf x > /dev/udp/127.0.0.1/9; done");
            Assert.Equal(6UL, collection.ReadVariable<ulong>("Hits"));
        }
        netns.Run("printf x > /dev/udp/127.0.0.1/9");
        Assert.Equal(6UL, collection.ReadVariable<ulong>("Hits"));
    }

    [SkippableFact]
    public void Flow_dissector_link_in_a_new_network_namespace_dissects_the_frames_received_there()
    {
        Kernel.RequireBpf();
        using var netns = new NetworkNamespace("f");
        using var veth = new VethPair("f");
        // BPF_OK (0) with the keys left as the kernel initialised them: frames still flow, hashed alike.
        using var collection = Collection.Load(ProbeObjects.WithGlobals(Counter("FlowCount", ProgramType.FlowDissector, "flow_dissector", AttachType.FlowDissector, verdict: 0)));
        // The receiving end moves into the namespace; receive packet steering there hashes every frame it receives
        // (skb_get_hash on a frame sent from a packet socket, which carries no hash yet), which runs the namespace's
        // flow dissector.
        var move = ExternalTool.Run(ExternalTool.Require("ip"), "link", "set", veth.Receiver, "netns", netns.Name);
        Assert.True(move.ExitCode == 0, move.Combined);
        netns.Run($"ip link set {veth.Receiver} up && echo 1 > /sys/class/net/{veth.Receiver}/queues/rx-0/rps_cpus");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.ReadAllText($"/sys/class/net/{veth.Sender}/operstate").Trim() != "up")
        {
            Assert.True(DateTime.UtcNow < deadline, $"{veth.Sender} did not come up after its peer moved into {netns.Name}");
            Thread.Sleep(20);
        }
        using (var link = collection.GetProgram("FlowCount").AttachNetns(netns.Path))
        {
            Assert.Equal(LinkType.Netns, link.GetInfo().Type);
            Native.SendFrames(veth.SenderIndex, Packets.Ipv4(Packets.ProtocolUdp), 6);
            ulong hits = WaitFor(() => collection.ReadVariable<ulong>("Hits"), 6UL);
            Assert.True(hits >= 6, $"the flow dissector ran {hits} times for 6 frames received in {netns.Name}");
        }
        ulong detached = collection.ReadVariable<ulong>("Hits");
        Native.SendFrames(veth.SenderIndex, Packets.Ipv4(Packets.ProtocolUdp), 2);
        Thread.Sleep(100);
        Assert.Equal(detached, collection.ReadVariable<ulong>("Hits"));
    }

    // Frames are received on another CPU's backlog (receive packet steering) a moment after the send returns.
    static ulong WaitFor(Func<ulong> read, ulong atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        ulong value;
        while ((value = read()) < atLeast && DateTime.UtcNow < deadline) Thread.Sleep(10);
        return value;
    }

    [SkippableFact]
    public void Sk_msg_link_on_a_sockmap_runs_once_per_send_on_the_sockets_added_while_attached()
    {
        Kernel.RequireBpf();
        var spec = ProbeObjects.WithGlobals(Counter("MsgCount", ProgramType.SkMsg, "sk_msg", AttachType.SkMsgVerdict, verdict: 1));
        spec.Maps.Add(new MapSpec { Name = "Socks", Type = MapType.SockMap, KeySize = 4, ValueSize = 4, MaxEntries = 2 });
        using var collection = Collection.Load(spec);
        var socks = collection.GetMap("Socks").As<uint, uint>();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndpoint);
        using var server = listener.AcceptSocket();
        server.ReceiveTimeout = 5000;
        void SendAndReceive(int times)
        {
            var buffer = new byte[16];
            for (int i = 0; i < times; i++)
            {
                client.Send("ping"u8);
                int got = 0;
                while (got < 4) got += server.Receive(buffer, got, 4 - got, SocketFlags.None);   // SK_PASS: the bytes arrive
            }
        }

        using (var link = collection.GetProgram("MsgCount").AttachSockMap(collection.GetMap("Socks")))
        {
            Assert.Equal(LinkType.SockMap, link.GetInfo().Type);
            socks.Update(0, (uint)client.Handle);
            SendAndReceive(5);
            Assert.Equal(5UL, collection.ReadVariable<ulong>("Hits"));
        }
        socks.Delete(0);                                                    // re-added without the program attached
        socks.Update(0, (uint)client.Handle);
        SendAndReceive(2);
        Assert.Equal(5UL, collection.ReadVariable<ulong>("Hits"));
    }

    [SkippableFact]
    public void Cgroup_sock_create_connect4_and_sockops_links_see_only_the_sockets_of_processes_in_their_cgroup()
    {
        Kernel.RequireBpf();
        Skip.IfNot(File.Exists(Path.Combine(Cgroup2Root, "cgroup.procs")), $"no cgroup v2 hierarchy at {Cgroup2Root}");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int tcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        string cgroup = Path.Combine(Cgroup2Root, $"ebpf-hooks-test-{Environment.ProcessId}");
        Directory.CreateDirectory(cgroup);
        try
        {
            using var create = Collection.Load(ProbeObjects.WithGlobals(Counter("SockCreate", ProgramType.CgroupSock, "cgroup/sock_create", AttachType.CgroupInetSockCreate, verdict: 1)));
            using var connect = Collection.Load(ProbeObjects.WithGlobals(Counter("Connect4", ProgramType.CgroupSockAddr, "cgroup/connect4", AttachType.CgroupInet4Connect, verdict: 1)));
            using var sockops = Collection.Load(ProbeObjects.WithGlobals(Counter("SockOps", ProgramType.SockOps, "sockops", AttachType.CgroupSockOps, verdict: 1)));
            using (var l1 = create.GetProgram("SockCreate").AttachCgroup(cgroup))
            using (var l2 = connect.GetProgram("Connect4").AttachCgroup(cgroup))
            using (var l3 = sockops.GetProgram("SockOps").AttachCgroup(cgroup))
            {
                Assert.All(new[] { l1, l2, l3 }, link => Assert.Equal(LinkType.Cgroup, link.GetInfo().Type));
                // In the cgroup: 6 UDP sockets connected to port 9 and one TCP connection to the listener (outside it).
                var shell = Shell($"echo $$ > {cgroup}/cgroup.procs && for i in 1 2 3 4 5 6; do printf x > /dev/udp/127.0.0.1/9; done"
                    + $" && exec 3<>/dev/tcp/127.0.0.1/{tcpPort} && exec 3>&-");
                Assert.True(shell.ExitCode == 0, shell.Combined);
                using var accepted = listener.AcceptSocket();
                // Outside the cgroup, this process: none of the three may see it.
                using (var own = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
                    own.Connect(IPAddress.Loopback, 9);
                Assert.Equal(7UL, create.ReadVariable<ulong>("Hits"));
                Assert.Equal(7UL, connect.ReadVariable<ulong>("Hits"));
                // sockops runs for several events of the one TCP connection (timeout init, connect, established...).
                Assert.InRange(sockops.ReadVariable<ulong>("Hits"), 1UL, 20UL);
            }
            ulong ops = sockops.ReadVariable<ulong>("Hits");
            var again = Shell($"echo $$ > {cgroup}/cgroup.procs && printf x > /dev/udp/127.0.0.1/9 && exec 3<>/dev/tcp/127.0.0.1/{tcpPort}");
            Assert.True(again.ExitCode == 0, again.Combined);
            using var acceptedAgain = listener.AcceptSocket();
            Assert.Equal(7UL, create.ReadVariable<ulong>("Hits"));
            Assert.Equal(7UL, connect.ReadVariable<ulong>("Hits"));
            Assert.Equal(ops, sockops.ReadVariable<ulong>("Hits"));
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }
}

/// <summary>A named network namespace (ip netns) with its loopback up, deleted on dispose.</summary>
internal sealed class NetworkNamespace : IDisposable
{
    public NetworkNamespace(string tag)
    {
        Name = $"ebpf{tag}{Environment.ProcessId % 100000}";
        Ip($"netns add {Name}");
        Ip($"-n {Name} link set lo up");
    }

    public string Name { get; }

    /// <summary>The namespace's bind mount, which AttachNetns opens.</summary>
    public string Path => $"/run/netns/{Name}";

    /// <summary>Runs a bash script inside the namespace; fails the test if it fails.</summary>
    public void Run(string script)
    {
        var result = ExternalTool.Run(ExternalTool.Require("ip"), "netns", "exec", Name, "bash", "-c", script);
        Assert.True(result.ExitCode == 0, $"in {Name}: {script}: {result.Combined}");
    }

    static void Ip(string arguments)
    {
        var result = ExternalTool.Run(ExternalTool.Require("ip"), arguments.Split(' '));
        Assert.True(result.ExitCode == 0, $"ip {arguments}: {result.Combined}");
    }

    public void Dispose() => ExternalTool.Run(ExternalTool.Require("ip"), "netns", "delete", Name);
}
