using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary>The few libc entry points the runtime needs. System calls without a libc wrapper
/// (bpf, perf_event_open) go through <c>syscall(2)</c> with their x86-64 numbers.</summary>
internal static unsafe partial class Libc
{
    public const long SysBpf = 321;
    public const long SysPerfEventOpen = 298;

    /// <summary>bpf(2). No SetLastError: a successful call (most calls: every map element operation) needs no errno,
    /// so <see cref="BpfSyscall"/> reads errno itself, only after a failure, instead of clearing and saving it on every call.</summary>
    [LibraryImport("libc", EntryPoint = "syscall")]
    public static partial long SyscallBpf(long number, int cmd, void* attr, uint size);

    /// <summary>bpf(2) without the GC transition (the thread stays in cooperative mode, as for an FCall), for the
    /// element commands of the map types in <see cref="ShortMapCommands"/> only: the call must return within about a
    /// microsecond and never block, because a GC cannot suspend this thread until it returns. Everything else
    /// (BPF_PROG_LOAD, which verifies for seconds; link and attach commands, which take mutexes) uses <see cref="SyscallBpf"/>.</summary>
    [LibraryImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    public static partial long SyscallBpfShort(long number, int cmd, void* attr, uint size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long SyscallPerfEventOpen(long number, void* attr, int pid, int cpu, int groupFd, ulong flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, nint argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> off Linux x86-64: the syscall numbers above are that ABI's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureSupportedPlatform()
    {
        if (PlatformChecked) return;
        CheckPlatform();
        PlatformChecked = true;
    }

    static bool PlatformChecked;

    static void CheckPlatform()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("eBPF needs Linux: the bpf() system call does not exist on this operating system");
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new PlatformNotSupportedException($"the runtime's system call numbers are x86-64's; this process is {RuntimeInformation.ProcessArchitecture}");
    }
}
