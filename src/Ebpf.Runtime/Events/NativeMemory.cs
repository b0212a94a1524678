using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Events;

/// <summary>mmap/munmap, epoll and eventfd: what the event readers share with the kernel.</summary>
internal static unsafe partial class EventNative
{
    public const int ProtRead = 1, ProtWrite = 2, MapShared = 1;
    public const uint EpollIn = 1;
    const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCloexec = 0x80000;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> at <paramref name="offset"/>; throws naming <paramref name="step"/>.</summary>
    public static byte* Map(int fd, nuint length, int protection, long offset, string step)
    {
        void* address = MMap(null, length, protection, MapShared, fd, offset);
        if (address == (void*)-1)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new BpfException(step, errno, errno == Syscalls.Errno.EPERM
                ? "the mapping is larger than RLIMIT_MEMLOCK allows for perf buffers (raise ulimit -l or use fewer pages)" : null);
        }
        return (byte*)address;
    }

    public static void Unmap(byte* address, nuint length)
    {
        if (address != null) MunMap(address, length);
    }

    public static int EpollCreate()
    {
        int fd = EpollCreate1(EpollCloexec);
        if (fd < 0) throw new BpfException("create an epoll instance", Marshal.GetLastPInvokeError());
        return fd;
    }

    public static void EpollAdd(int epollFd, int fd, ulong data, string step)
    {
        var ev = new EpollEvent { Events = EpollIn, Data = data };
        if (EpollCtl(epollFd, EpollCtlAdd, fd, &ev) < 0) throw new BpfException(step, Marshal.GetLastPInvokeError());
    }

    /// <summary>epoll_wait, retried on EINTR; returns the number of ready entries.</summary>
    public static int EpollWait(int epollFd, Span<EpollEvent> events, int timeoutMilliseconds, string step)
    {
        fixed (EpollEvent* e = events)
        {
            while (true)
            {
                int n = EpollWaitNative(epollFd, e, events.Length, timeoutMilliseconds);
                if (n >= 0) return n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Syscalls.Errno.EINTR) throw new BpfException(step, errno);
            }
        }
    }

    public static int Milliseconds(TimeSpan timeout)
        => timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int MunMap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epollFd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWaitNative(int epollFd, EpollEvent* events, int maxEvents, int timeout);
}
