using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup sysctl program refusing writes.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupSysctlReadOnly
{
    [CgroupSysctl]
    static int OnSysctl(SysctlContext ctx) => ctx.Write == 1 ? 0 : 1;
}
