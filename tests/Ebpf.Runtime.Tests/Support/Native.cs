using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Tests.Support;

/// <summary>libc calls the tests use to trigger probes and send frames.</summary>
internal static unsafe partial class Native
{
    /// <summary>getppid(2) through libc: fires syscalls/sys_enter_getppid, raw sys_enter (id 110) and a uprobe on libc's getppid.</summary>
    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentPid();

    public const long SysGetppid = 110;

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    /// <summary>Pins the calling thread to <paramref name="cpu"/>.</summary>
    public static void PinCurrentThread(int cpu)
    {
        ulong* mask = stackalloc ulong[16];
        for (int i = 0; i < 16; i++) mask[i] = 0;
        mask[cpu / 64] = 1UL << (cpu % 64);
        if (SchedSetAffinity(0, 16 * sizeof(ulong), mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity(cpu {cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Sends raw Ethernet frames out of interface <paramref name="ifindex"/> (AF_PACKET, SOCK_RAW).</summary>
    public static void SendFrames(int ifindex, byte[] frame, int count)
    {
        const int AfPacket = 17, SockRaw = 3;
        int fd = Socket(AfPacket, SockRaw, 0);
        if (fd < 0) throw new InvalidOperationException($"socket(AF_PACKET) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            byte* address = stackalloc byte[20];                  // struct sockaddr_ll
            new Span<byte>(address, 20).Clear();
            *(ushort*)address = AfPacket;                          // sll_family
            *(int*)(address + 4) = ifindex;                        // sll_ifindex
            address[11] = 6;                                       // sll_halen
            for (int i = 0; i < 6; i++) address[12 + i] = frame[i];
            fixed (byte* data = frame)
                for (int i = 0; i < count; i++)
                    if (SendTo(fd, data, (nuint)frame.Length, 0, address, 20) != frame.Length)
                        throw new InvalidOperationException($"sendto failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            Close(fd);
        }
    }
}

/// <summary>A veth pair created with iproute2 for the test's lifetime (names unique to this process).</summary>
internal sealed class VethPair : IDisposable
{
    public VethPair(string tag)
    {
        Sender = $"eb{tag}{Environment.ProcessId % 100000}a";
        Receiver = $"eb{tag}{Environment.ProcessId % 100000}b";
        Ip("link", "add", Sender, "type", "veth", "peer", "name", Receiver);
        Ip("link", "set", Sender, "up");
        Ip("link", "set", Receiver, "up");
        // The first end came up without carrier; its qdisc is activated only when linkwatch handles the carrier-on
        // event (asynchronously, rate-limited to about 1 s). Until then frames sent on it are dropped.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(IsUp(Sender) && IsUp(Receiver)))
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"veth pair {Sender}/{Receiver} did not come up within 10 s");
            Thread.Sleep(20);
        }
    }

    static bool IsUp(string name) => File.ReadAllText($"/sys/class/net/{name}/operstate").Trim() == "up";

    public string Sender { get; }
    public string Receiver { get; }
    public int SenderIndex => NetworkInterfaces.IndexOf(Sender);
    public int ReceiverIndex => NetworkInterfaces.IndexOf(Receiver);

    /// <summary><c>ip -j link show dev NAME</c>.</summary>
    public string Show(string name) => Ip("-d", "-j", "link", "show", "dev", name);

    static string Ip(params string[] args)
    {
        var result = ExternalTool.Run(ExternalTool.Require("ip"), args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {result.Combined}");
        return result.StdOut;
    }

    public void Dispose() => ExternalTool.Run(ExternalTool.Require("ip"), "link", "del", Sender);
}
