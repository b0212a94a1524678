using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A writable raw tracepoint on bpf_test_finish.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class RawTracepointWritableTestFinish
{
    [RawTracepointWritable("bpf_test_finish")]
    static int OnTestFinish(RawTracepointContext ctx) => 0;
}
