using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Connect6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrConnect6
{
    [CgroupSockAddr(SockAddrHook.Connect6)]
    static int OnConnect6(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5000) addr.UserPort = 0x5100;
        return 1;
    }
}
