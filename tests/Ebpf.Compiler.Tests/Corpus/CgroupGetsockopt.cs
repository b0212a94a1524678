using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup getsockopt program.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupGetsockopt
{
    [CgroupSockopt(SockoptHook.Get)]
    static int OnGet(SockoptContext opt) => 1;
}
