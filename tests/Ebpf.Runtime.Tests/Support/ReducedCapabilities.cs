using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Tests.Support;

/// <summary>Runs code on a thread whose effective capabilities lack some of root's. Linux keeps capabilities per
/// thread (capset changes only the caller's credentials), so the rest of the test process stays root. Used to show
/// what the verifier refuses to loaders without CAP_PERFMON (uninitialized stack reads, pointer leaks) — the way
/// services with only CAP_BPF run.</summary>
internal static class ReducedCapabilities
{
    public const int SysAdmin = 21, Perfmon = 38;

    public static T Run<T>(int[] dropFromEffective, Func<T> action)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                DropEffective(dropFromEffective);
                result = action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return result!;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct Header { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    struct Data { public uint Effective, Permitted, Inheritable; }

    const uint Version3 = 0x20080522;   // _LINUX_CAPABILITY_VERSION_3: two Data words (capabilities 0-31, 32-63)

    [DllImport("libc", SetLastError = true)] static extern unsafe int capget(Header* header, Data* data);
    [DllImport("libc", SetLastError = true)] static extern unsafe int capset(Header* header, Data* data);

    static unsafe void DropEffective(int[] capabilities)
    {
        var header = new Header { Version = Version3 };
        var data = stackalloc Data[2];
        if (capget(&header, data) != 0) throw new InvalidOperationException($"capget: errno {Marshal.GetLastPInvokeError()}");
        foreach (int cap in capabilities) data[cap / 32].Effective &= ~(1u << (cap % 32));
        header = new Header { Version = Version3 };
        if (capset(&header, data) != 0) throw new InvalidOperationException($"capset: errno {Marshal.GetLastPInvokeError()}");
    }
}
