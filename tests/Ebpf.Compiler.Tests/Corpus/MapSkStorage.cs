using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>Socket storage stamping each socket at creation.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapSkStorage
{
    static readonly SkStorage<ulong> Created = new();

    [CgroupSock(CgroupSockHook.Create)]
    static int OnCreate(SockContext sock)
    {
        ref ulong stamp = ref Created.Get(sock, flags: LocalStorageFlags.Create);
        if (!Unsafe.IsNullRef(ref stamp)) stamp = Bpf.KtimeGetNs();
        return 1;
    }
}
