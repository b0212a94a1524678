using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Ebpf;

namespace OpenCounter;

/// <summary>The record of the <c>syscalls/sys_enter_openat</c> tracepoint
/// (/sys/kernel/tracing/events/syscalls/sys_enter_openat/format).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SysEnterOpenatArgs
{
    public ushort CommonType;
    public byte CommonFlags;
    public byte CommonPreemptCount;
    public int CommonPid;
    public int SyscallNr;
    public long Dfd;          // offset 16: the format pads __syscall_nr to 8 bytes
    public ulong Filename;    // const char __user *
    public long Flags;
    public long Mode;
}

/// <summary>Counts openat() calls per process; user space reads <see cref="Counts"/>.</summary>
[BpfObject(License = "GPL")]
public static partial class OpenCounter
{
    /// <summary>Opens per process id (tgid).</summary>
    static readonly HashMap<uint, ulong> Counts = new(maxEntries: 10240);

    /// <summary>When non-zero, only this process is counted. Set by user space before load (.rodata).</summary>
    static readonly uint TargetPid;

    /// <summary>Opens not counted because the map was full (.bss).</summary>
    static ulong Misses;

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(in SysEnterOpenatArgs args)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        if (TargetPid != 0 && pid != TargetPid) return 0;
        ref ulong count = ref Counts.Lookup(pid);
        if (Unsafe.IsNullRef(ref count))
        {
            if (Counts.Update(pid, 1, MapUpdate.NoExist) != 0) Interlocked.Increment(ref Misses);
        }
        else
        {
            Interlocked.Increment(ref count);
        }
        return 0;
    }
}
