using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Connect4.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrConnect4
{
    [CgroupSockAddr(SockAddrHook.Connect4)]
    static int OnConnect4(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5000) addr.UserPort = 0x5100;
        return 1;
    }
}
