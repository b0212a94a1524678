using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sock_addr program at Recvmsg4.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSockAddrRecvmsg4
{
    [CgroupSockAddr(SockAddrHook.Recvmsg4)]
    static int OnRecvmsg4(SockAddrContext addr)
    {
        if (addr.UserPort == 0x5100) addr.UserPort = 0x5000;   // must return 1: these hooks only rewrite
        return 1;
    }
}
