using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An LSM program (EPERM on this kernel).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class LsmFileOpen
{
    [Lsm("file_open")]
    static int OnFileOpen(TracingContext ctx) => 0;
}
