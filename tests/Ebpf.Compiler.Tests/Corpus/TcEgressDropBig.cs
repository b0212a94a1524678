using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A tcx egress program dropping jumbo frames.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class TcEgressDropBig
{
    [Tc(TcDirection.Egress)]
    static TcAction DropBig(SkBuffContext skb) => skb.Len > 9000 ? TcAction.Shot : TcAction.Ok;
}
