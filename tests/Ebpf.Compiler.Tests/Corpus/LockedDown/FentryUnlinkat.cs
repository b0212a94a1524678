using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An fentry program (EPERM on this kernel).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class FentryUnlinkat
{
    static ulong Calls;

    [Fentry("do_unlinkat")]
    static int OnEntry(TracingContext ctx) { Calls++; return 0; }
}
