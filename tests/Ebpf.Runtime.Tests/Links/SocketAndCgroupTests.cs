using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ebpf.Runtime.Tests.Links;

public class SocketAndCgroupTests
{
    /// <summary>Socket filter: drops datagrams whose UDP length (skb->len, UDP header included) is 8 + 3; keeps the rest whole.</summary>
    static ProgramSpec DropThreeByteDatagrams() => new ProgramBuilder("DropThree", ProgramType.SocketFilter, "socket")
        .Emit(Insn.Load(MemSize.W, R0, R1, 0))                            // skb->len
        .Jump(Insn.Jump(JumpOp.Jne, R0, 8 + 3), "keep")
        .Emit(Insn.Mov64(R0, 0))
        .Label("keep")
        .Emit(Insn.Exit())
        .Build();

    [SkippableFact]
    public void Socket_filter_drops_what_it_returns_zero_for_until_detached()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(DropThreeByteDatagrams());
        using var collection = Collection.Load(spec);
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveTimeout = 5000;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        void Send(string text) => sender.SendTo(Encoding.ASCII.GetBytes(text), receiver.LocalEndPoint!);
        string Receive()
        {
            var buffer = new byte[64];
            return Encoding.ASCII.GetString(buffer, 0, receiver.Receive(buffer));
        }

        using (var filter = collection.GetProgram("DropThree").AttachSocket(receiver))
        {
            Assert.StartsWith("socket 127.0.0.1:", filter.Target);
            foreach (var text in new[] { "abc", "hello", "xyz", "1234" }) Send(text);
            Assert.Equal("hello", Receive());
            Assert.Equal("1234", Receive());
        }
        Send("abc");                                                       // detached: three bytes pass now
        Assert.Equal("abc", Receive());
        Assert.Equal(0, receiver.Available);
    }

    const string Cgroup2Root = "/sys/fs/cgroup/unified";

    /// <summary>cgroup_skb/egress: counts IPv4/UDP packets to <paramref name="port"/> in .bss Hits; always allows (1).</summary>
    static ProgramSpec CountUdpEgress(ushort port)
    {
        int portAsLoaded = (ushort)((port >> 8) | ((port & 0xff) << 8)); // big-endian on the wire, read little-endian
        return new ProgramBuilder("CountUdpOut", ProgramType.CgroupSkb, "cgroup_skb/egress", AttachType.CgroupInetEgress)
            .Emit(Insn.Load(MemSize.W, R2, R1, 76))                        // skb->data: the IPv4 header
            .Emit(Insn.Load(MemSize.W, R3, R1, 80))                        // skb->data_end
            .Emit(Insn.Mov64(R4, R2))
            .Emit(Insn.Alu64(AluOp.Add, R4, 24))                           // IPv4 (20, no options) + UDP ports
            .Jump(Insn.Jump(JumpOp.Jgt, R4, R3), "out")
            .Emit(Insn.Load(MemSize.B, R5, R2, 9))
            .Jump(Insn.Jump(JumpOp.Jne, R5, 17), "out")
            .Emit(Insn.Load(MemSize.H, R5, R2, 22))                        // UDP destination port
            .Jump(Insn.Jump(JumpOp.Jne, R5, portAsLoaded), "out")
            .CountHit()
            .Label("out")
            .Emit(Insn.Mov64(R0, 1))
            .Emit(Insn.Exit())
            .Build();
    }

    [SkippableFact]
    public void Cgroup_skb_egress_sees_only_the_traffic_of_processes_in_its_cgroup()
    {
        Kernel.RequireBpf();
        Skip.IfNot(File.Exists(Path.Combine(Cgroup2Root, "cgroup.procs")), $"no cgroup v2 hierarchy at {Cgroup2Root}");
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        ushort port = (ushort)((IPEndPoint)receiver.LocalEndPoint!).Port;

        string cgroup = Path.Combine(Cgroup2Root, $"ebpf-runtime-test-{Environment.ProcessId}");
        Directory.CreateDirectory(cgroup);
        try
        {
            using var collection = Collection.Load(ProbeObjects.WithGlobals(CountUdpEgress(port)));
            using (var link = collection.GetProgram("CountUdpOut").AttachCgroup(cgroup))
            {
                Assert.Equal(LinkType.Cgroup, link.GetInfo().Type);
                // 6 datagrams from a shell that moved itself into the cgroup, 4 from this process (outside it).
                var shell = ExternalTool.Run(ExternalTool.Require("bash"), "-c",
                    $"echo $$ > {cgroup}/cgroup.procs && for i in 1 2 3 4 5 6; do printf x > /dev/udp/127.0.0.1/{port}; done");
                Assert.True(shell.ExitCode == 0, shell.Combined);
                using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                for (int i = 0; i < 4; i++) sender.SendTo("y"u8.ToArray(), receiver.LocalEndPoint!);
                Assert.Equal(6UL, collection.ReadVariable<ulong>("Hits"));
            }
            var again = ExternalTool.Run(ExternalTool.Require("bash"), "-c", $"echo $$ > {cgroup}/cgroup.procs && printf x > /dev/udp/127.0.0.1/{port}");
            Assert.True(again.ExitCode == 0, again.Combined);
            Assert.Equal(6UL, collection.ReadVariable<ulong>("Hits"));   // detached with the link
        }
        finally
        {
            Directory.Delete(cgroup);                                       // empty again: the shells have exited
        }
    }

    [SkippableFact]
    public void Programs_needing_a_socket_or_cgroup_say_so_when_auto_attached()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Programs.Add(DropThreeByteDatagrams());
        using var collection = Collection.Load(spec);
        var e = Assert.Throws<InvalidOperationException>(() => collection.GetProgram("DropThree").Attach());
        Assert.Equal("socket filter program 'DropThree' needs a socket: call AttachSocket(socket)", e.Message);
        var cgroup = Assert.Throws<BpfException>(() => collection.GetProgram("DropThree").AttachCgroup("/nonexistent"));
        Assert.StartsWith("open cgroup '/nonexistent': ENOENT", cgroup.Message);
    }
}
