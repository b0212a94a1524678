using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A task iterator counting tasks.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class IteratorTask
{
    static ulong Tasks;

    [Iterator("task")]
    static int OnTask(TracingContext ctx) { Tasks++; return 0; }
}
