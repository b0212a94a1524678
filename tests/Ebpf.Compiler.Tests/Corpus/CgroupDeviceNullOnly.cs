using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A cgroup device program allowing only /dev/null.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class CgroupDeviceNullOnly
{
    [CgroupDevice]
    static int OnAccess(CgroupDeviceContext dev) => dev.Major == 1 && dev.Minor == 3 ? 1 : 0;
}
