using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock program at Create.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockCreate
{
    [CgroupSock(CgroupSockHook.Create)]
    static int OnCreate(SockContext sock) => sock.Type == 3 ? 0 : 1;
}
