using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Sendmsg4.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrSendmsg4
{
    [CgroupSockAddr(SockAddrHook.Sendmsg4)]
    static int OnSendmsg4(SockAddrContext addr)
    {
        return addr.Protocol == 255 ? 0 : 1;
    }
}
