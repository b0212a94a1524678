using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup setsockopt program refusing TCP_CONGESTION.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSetsockopt
{
    [CgroupSockopt(SockoptHook.Set)]
    static int OnSet(SockoptContext opt) => opt.Level == 6 && opt.Optname == 13 ? 0 : 1;
}
