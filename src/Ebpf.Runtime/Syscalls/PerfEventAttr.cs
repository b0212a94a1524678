using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>struct perf_event_attr</c> (include/uapi/linux/perf_event.h, PERF_ATTR_SIZE_VER7 = 128 bytes):
/// the fields needed to open tracepoint and probe events for BPF programs.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PerfEventAttr
{
    public const uint PerfTypeTracepoint = 2;

    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Size;
    /// <summary>Tracepoint id, or probe flags (bit 0 = return probe) for kprobe/uprobe PMUs.</summary>
    [FieldOffset(8)] public ulong Config;
    [FieldOffset(16)] public ulong SamplePeriod;
    [FieldOffset(24)] public ulong SampleType;
    [FieldOffset(32)] public ulong ReadFormat;
    /// <summary>The bit-field word (disabled = bit 0, inherit = 1, ...).</summary>
    [FieldOffset(40)] public ulong Flags;
    [FieldOffset(48)] public uint WakeupEvents;
    /// <summary>kprobe_func / uprobe_path: pointer to a NUL-terminated string.</summary>
    [FieldOffset(56)] public ulong Config1;
    /// <summary>probe_offset (file offset for uprobes, offset into the function for kprobes).</summary>
    [FieldOffset(64)] public ulong Config2;
}

/// <summary>perf_event_open(2) and the ioctls that tie a BPF program to a perf event.</summary>
internal static unsafe class PerfEvents
{
    public const ulong PerfFlagFdCloexec = 1UL << 3;
    public const ulong IocEnable = 0x2400;
    public const ulong IocDisable = 0x2401;
    public const ulong IocSetBpf = 0x40042408;

    /// <summary>Opens a perf event; returns the fd or -1 with <paramref name="errno"/>.</summary>
    public static int Open(ref PerfEventAttr attr, int pid, int cpu, out int errno)
    {
        Libc.EnsureSupportedPlatform();
        attr.Size = (uint)sizeof(PerfEventAttr);
        fixed (PerfEventAttr* p = &attr)
        {
            long fd = Libc.SyscallPerfEventOpen(Libc.SysPerfEventOpen, p, pid, cpu, -1, PerfFlagFdCloexec);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)fd;
        }
    }

    public static int Ioctl(int fd, ulong request, nint argument, out int errno)
    {
        int rc = Libc.Ioctl(fd, request, argument);
        errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }
}
