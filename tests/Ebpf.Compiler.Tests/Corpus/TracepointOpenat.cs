using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public struct TracepointOpenatOpenat
{
    public ulong Common;
    public int SyscallNr;
    public long Dfd;
    public ulong Filename;
    public long Flags;
    public long Mode;
}

/// <summary>A tracepoint counting openat calls per process.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class TracepointOpenat
{
    static readonly HashMap<uint, ulong> Opens = new(maxEntries: 1024);

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(in TracepointOpenatOpenat args)
    {
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref ulong n = ref Opens.Lookup(pid);
        if (Unsafe.IsNullRef(ref n)) Opens.Update(pid, 1); else n++;
        return 0;
    }
}
