using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Bind6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrBind6
{
    [CgroupSockAddr(SockAddrHook.Bind6)]
    static int OnBind6(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5000) addr.UserPort = 0x5100;
        return 1;
    }
}
