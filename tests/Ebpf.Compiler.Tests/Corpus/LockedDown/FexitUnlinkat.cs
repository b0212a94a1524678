using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An fexit program (EPERM on this kernel).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class FexitUnlinkat
{
    static ulong Calls;

    [Fexit("do_unlinkat")]
    static int OnExit(TracingContext ctx) { Calls++; return 0; }
}
