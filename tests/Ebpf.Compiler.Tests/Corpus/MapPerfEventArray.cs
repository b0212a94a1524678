using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public struct MapPerfEventArrayOpenat
{
    public ulong Common;
    public int SyscallNr;
    public long Dfd;
    public ulong Filename;
    public long Flags;
    public long Mode;
}

/// <summary>A perf event array.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapPerfEventArray
{
    public struct Event { public uint Pid; public uint Pad; }

    static readonly PerfEventArray Events = new();

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(in MapPerfEventArrayOpenat args)
    {
        var e = new Event { Pid = (uint)(Bpf.GetCurrentPidTgid() >> 32) };
        Events.Output(args, in e);
        return 0;
    }
}
