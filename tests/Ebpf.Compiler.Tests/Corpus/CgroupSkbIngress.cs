using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup_skb ingress program counting bytes.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSkbIngress
{
    static ulong Bytes;

    [CgroupSkb(CgroupSkbDirection.Ingress)]
    static int Ingress(SkBuffContext skb) { Bytes += skb.Len; return 1; }
}
