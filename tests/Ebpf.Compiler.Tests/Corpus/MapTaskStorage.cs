using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>Task storage counting syscalls per task.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapTaskStorage
{
    static readonly TaskStorage<ulong> Syscalls = new();

    [RawTracepoint("sys_enter")]
    static int OnSysEnter(RawTracepointContext ctx)
    {
        ref ulong n = ref Syscalls.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);
        if (!Unsafe.IsNullRef(ref n)) n++;
        return 0;
    }
}
