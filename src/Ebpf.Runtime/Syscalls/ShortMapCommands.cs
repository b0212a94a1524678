using Ebpf.Object;

namespace Ebpf.Runtime.Syscalls;

/// <summary>Which map types' element commands (BPF_MAP_LOOKUP_ELEM, _UPDATE_ELEM, _DELETE_ELEM, _GET_NEXT_KEY,
/// _LOOKUP_AND_DELETE_ELEM) may skip the GC transition (<see cref="Libc.SyscallBpfShort"/>).</summary>
/// <remarks>For these types the kernel copies the key and value, takes a bucket spinlock or none (RCU), and allocates
/// with GFP_ATOMIC / GFP_NOWAIT or from the BPF memory allocator: nothing sleeps, and a call is a few hundred
/// nanoseconds, mostly the syscall entry and exit. The only waits left are page faults on the caller's own buffers,
/// which delay a GC no more than they delay the caller. Left out on purpose: maps of maps (an update or delete ends in
/// synchronize_rcu() so programs stop seeing the old inner map), sockmap/sockhash (lock_sock), prog/perf/cgroup arrays
/// and devmaps (fd lookups, mutexes, pokes of JITed code), struct_ops (registers a subsystem), local storages (pidfd and
/// socket lookups, allocation that may sleep), and anything unknown.</remarks>
internal static class ShortMapCommands
{
    public static bool CannotBlock(MapType type) => type is MapType.Hash or MapType.Array or MapType.PerCpuHash
        or MapType.PerCpuArray or MapType.LruHash or MapType.LruPerCpuHash or MapType.LpmTrie or MapType.Queue
        or MapType.Stack or MapType.BloomFilter;
}
