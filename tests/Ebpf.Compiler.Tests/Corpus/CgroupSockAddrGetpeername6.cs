using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Getpeername6.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrGetpeername6
{
    [CgroupSockAddr(SockAddrHook.Getpeername6)]
    static int OnGetpeername6(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5100) addr.UserPort = 0x5000;   // must return 1: these hooks only rewrite
        return 1;
    }
}
