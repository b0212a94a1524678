using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Bind4.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrBind4
{
    [CgroupSockAddr(SockAddrHook.Bind4)]
    static int OnBind4(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5000) addr.UserPort = 0x5100;
        return 1;
    }
}
