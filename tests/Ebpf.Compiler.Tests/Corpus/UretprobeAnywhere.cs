using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A uretprobe whose target is given at attach time.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class UretprobeAnywhere
{
    static ulong Returns;

    [Uretprobe]
    static int OnReturn(PtRegs ctx) { Returns++; return 0; }
}
