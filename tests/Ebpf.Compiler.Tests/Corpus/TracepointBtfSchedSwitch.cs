using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A BTF tracepoint counting context switches.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class TracepointBtfSchedSwitch
{
    static ulong Switches;

    [TracepointBtf("sched_switch")]
    static int OnSwitch(TracingContext ctx) { Switches++; return 0; }
}
