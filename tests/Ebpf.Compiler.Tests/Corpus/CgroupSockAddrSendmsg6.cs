using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Sendmsg6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrSendmsg6
{
    [CgroupSockAddr(SockAddrHook.Sendmsg6)]
    static int OnSendmsg6(SockAddrContext addr)
    {
        return addr.Protocol == 255 ? 0 : 1;
    }
}
