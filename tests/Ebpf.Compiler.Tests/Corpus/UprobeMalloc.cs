using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A uprobe on libc malloc.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class UprobeMalloc
{
    static ulong Calls;

    [Uprobe("/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc")]
    static int OnMalloc(PtRegs ctx) { Calls++; return 0; }
}
