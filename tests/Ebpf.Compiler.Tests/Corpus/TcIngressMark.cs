using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A tcx ingress program setting the mark.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class TcIngressMark
{
    [Tc(TcDirection.Ingress)]
    static TcAction Mark(SkBuffContext skb) { skb.Mark = 7; return TcAction.Ok; }
}
