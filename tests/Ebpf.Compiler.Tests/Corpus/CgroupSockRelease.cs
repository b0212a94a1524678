using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock program at Release.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockRelease
{
    [CgroupSock(CgroupSockHook.Release)]
    static int OnRelease(SockContext sock) => 1;
}
