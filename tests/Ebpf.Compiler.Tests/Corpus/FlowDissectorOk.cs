using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A flow dissector leaving the keys to the kernel (BPF_OK).</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class FlowDissectorOk
{
    [FlowDissector]
    static int Dissect(SkBuffContext skb) => 0;
}
