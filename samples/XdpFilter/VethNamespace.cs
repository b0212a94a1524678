using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace XdpFilter;

/// <summary>A veth pair with one end in a network namespace this process creates (and removes
/// on dispose): host side <see cref="HostInterface"/> = 198.18.0.1/30, namespace side
/// 198.18.0.2/30. Packets sent from inside the namespace arrive on the host side, where the
/// XDP program is attached. Addresses are from the RFC 2544 benchmark range and exist only here.</summary>
public sealed partial class VethNamespace : IDisposable
{
    public const string HostAddress = "198.18.0.1";
    public const string PeerAddress = "198.18.0.2";

    public string Namespace { get; }
    public string HostInterface { get; }
    string PeerInterface { get; }

    VethNamespace(string ns, string host, string peer) { Namespace = ns; HostInterface = host; PeerInterface = peer; }

    public static VethNamespace Create()
    {
        // Interface names are limited to 15 characters; the pid keeps parallel runs apart.
        string id = (Environment.ProcessId % 100000).ToString();
        var veth = new VethNamespace($"xdpf{id}", $"xdpf{id}h", $"xdpf{id}p");
        try
        {
            Ip("netns", "add", veth.Namespace);
            Ip("link", "add", veth.HostInterface, "type", "veth", "peer", "name", veth.PeerInterface);
            Ip("link", "set", veth.PeerInterface, "netns", veth.Namespace);
            Ip("addr", "add", HostAddress + "/30", "dev", veth.HostInterface);
            Ip("link", "set", veth.HostInterface, "up");
            Ip("-n", veth.Namespace, "addr", "add", PeerAddress + "/30", "dev", veth.PeerInterface);
            Ip("-n", veth.Namespace, "link", "set", veth.PeerInterface, "up");
            Ip("-n", veth.Namespace, "link", "set", "lo", "up");
            veth.WaitForCarrier(TimeSpan.FromSeconds(10));
            return veth;
        }
        catch
        {
            veth.Dispose();
            throw;
        }
    }

    /// <summary>Frames sent before the pair has carrier are dropped; the host end reports "up"
    /// only once both ends are up and the link is ready.</summary>
    void WaitForCarrier(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string state = "";
        while (DateTime.UtcNow < deadline)
        {
            state = File.ReadAllText($"/sys/class/net/{HostInterface}/operstate").Trim();
            if (state == "up") return;
            Thread.Sleep(20);
        }
        throw new InvalidOperationException($"veth {HostInterface} did not come up within {timeout.TotalSeconds} s (operstate '{state}')");
    }

    /// <summary>Runs <paramref name="action"/> on a thread that has entered the namespace
    /// (setns(2) is per thread): sockets it creates live in the namespace.</summary>
    public void RunInside(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var nsFile = File.OpenHandle($"/var/run/netns/{Namespace}");
                if (SetNs((int)nsFile.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns into network namespace {Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
                action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        // The thread ends inside the namespace; it is never reused, so the process stays outside.
        if (failure != null) throw new InvalidOperationException($"in namespace {Namespace}: {failure.Message}", failure);
    }

    /// <summary>A UDP socket bound to <paramref name="port"/> of the host end (the XDP program sees its traffic first).</summary>
    public static Socket ListenOnHost(ushort port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(HostAddress), port));
        return socket;
    }

    /// <summary>Sends <paramref name="count"/> datagrams to each of <paramref name="ports"/> on the host end, from inside the namespace.</summary>
    public void SendFromInside(int count, params ushort[] ports) => RunInside(() =>
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var payload = "hello through XDP"u8.ToArray();
        for (int i = 0; i < count; i++)
            foreach (var port in ports)
                sender.SendTo(payload, new IPEndPoint(IPAddress.Parse(HostAddress), port));
    });

    /// <summary>Receives until nothing more arrives (1.5 s for the first datagram, 0.3 s between the next) and returns how many came.</summary>
    public static int CountArrivals(Socket socket)
    {
        var buffer = new byte[2048];
        int received = 0;
        socket.ReceiveTimeout = 1500;
        try { while (true) { socket.Receive(buffer); received++; socket.ReceiveTimeout = 300; } }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { }
        return received;
    }

    public void Dispose()
    {
        // Deleting the namespace destroys the peer end, and with it the host end of the pair.
        TryIp("netns", "del", Namespace);
        TryIp("link", "del", HostInterface);
    }

    const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    static void Ip(params string[] args)
    {
        var (code, output) = RunIp(args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output.Trim()}");
    }

    static void TryIp(params string[] args) => RunIp(args);

    static (int, string) RunIp(string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start 'ip' (install iproute2)");
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
