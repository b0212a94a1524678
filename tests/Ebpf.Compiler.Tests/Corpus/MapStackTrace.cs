using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public struct MapStackTraceOpenat
{
    public ulong Common;
    public int SyscallNr;
    public long Dfd;
    public ulong Filename;
    public long Flags;
    public long Mode;
}

/// <summary>A stack trace map.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapStackTrace
{
    static readonly StackTraceMap Stacks = new(maxEntries: 128);
    static long LastId;

    [Tracepoint("syscalls", "sys_enter_openat")]
    static int OnOpenat(in MapStackTraceOpenat args)
    {
        LastId = Bpf.GetStackid(args, Stacks, 0);
        return 0;
    }
}
