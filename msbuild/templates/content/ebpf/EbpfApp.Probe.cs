using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

namespace EbpfApp;

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
    public long Dfd;
    public ulong Filename;
    public long Flags;
    public long Mode;
}

/// <summary>The eBPF side, compiled by Ebpf.Sdk to EbpfApp.bpf.o and embedded: counts openat() calls per process.</summary>
[BpfObject(License = "GPL")]
public static partial class EbpfApp
{
    static readonly HashMap<uint, ulong> Opens = new(maxEntries: 10240);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(in SysEnterOpenatArgs args)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref ulong count = ref Opens.Lookup(pid);
        if (Unsafe.IsNullRef(ref count)) Opens.Update(pid, 1, MapUpdate.NoExist);
        else Interlocked.Increment(ref count);
        return 0;
    }
}
