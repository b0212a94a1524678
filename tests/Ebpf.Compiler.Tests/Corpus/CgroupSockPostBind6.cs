using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock program at PostBind6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockPostBind6
{
    [CgroupSock(CgroupSockHook.PostBind6)]
    static int OnPostBind6(SockContext sock) => sock.SrcPort < 1024 && sock.Protocol == 17 ? 0 : 1;
}
