using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup_skb egress program refusing IPv6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSkbEgress
{
    [CgroupSkb(CgroupSkbDirection.Egress)]
    static int Egress(SkBuffContext skb) => skb.Protocol == 0xDD86 ? 0 : 1;
}
