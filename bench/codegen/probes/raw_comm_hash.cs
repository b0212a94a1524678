// raw_tp/sys_enter: hashes the current command name (FNV-1a, a bounded loop over a stack buffer)
// and counts system calls per hash in a hash map.
using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Ebpf;

[BpfObject(License = "GPL")]
public static partial class RawCommHash
{
    static readonly HashMap<uint, ulong> CallsByComm = new(maxEntries: 4096);

    [RawTracepoint("sys_enter")]
    static int OnSysEnter(RawTracepointContext ctx)
    {
        Span<byte> comm = stackalloc byte[16];
        if (Bpf.GetCurrentComm(comm) != 0) return 0;
        uint hash = 2166136261;
        for (int i = 0; i < comm.Length; i++)
        {
            if (comm[i] == 0) break;
            hash = (hash ^ comm[i]) * 16777619;
        }
        ref ulong count = ref CallsByComm.Lookup(hash);
        if (!Unsafe.IsNullRef(ref count)) Interlocked.Increment(ref count);
        else CallsByComm.Update(hash, 1, MapUpdate.NoExist);
        return 0;
    }
}
