using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock program at PostBind4.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockPostBind4
{
    [CgroupSock(CgroupSockHook.PostBind4)]
    static int OnPostBind4(SockContext sock) => sock.SrcPort == 1 ? 0 : 1;
}
