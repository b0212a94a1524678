using System;

namespace Ebpf.Object;

/// <summary>What the runtime needs to know about each map type.</summary>
public static class MapKinds
{
    /// <summary>Whether values are per-CPU: user space reads and writes one value slot, rounded up to 8 bytes,
    /// for every possible CPU.</summary>
    public static bool IsPerCpu(MapType type) => type switch
    {
        MapType.PerCpuHash or MapType.PerCpuArray or MapType.LruPerCpuHash or MapType.PerCpuCgroupStorage => true,
        MapType.Unspecified or MapType.Hash or MapType.Array or MapType.ProgArray or MapType.PerfEventArray
            or MapType.StackTrace or MapType.CgroupArray or MapType.LruHash or MapType.LpmTrie or MapType.ArrayOfMaps
            or MapType.HashOfMaps or MapType.DevMap or MapType.SockMap or MapType.CpuMap or MapType.XskMap
            or MapType.SockHash or MapType.CgroupStorage or MapType.ReuseportSockArray or MapType.Queue
            or MapType.Stack or MapType.SkStorage or MapType.DevMapHash or MapType.StructOps or MapType.RingBuf
            or MapType.InodeStorage or MapType.TaskStorage or MapType.BloomFilter or MapType.UserRingBuf
            or MapType.CgrpStorage or MapType.Arena => false,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown map type"),
    };

    /// <summary>Whether BPF_MAP_CREATE is given the BTF key/value types of the map: not for the map types whose
    /// values are kernel objects (fds, stacks) or that have no keys; the same list as libbpf's bpf_object__create_map.</summary>
    public static bool TakesBtfTypes(MapType type) => type switch
    {
        MapType.PerfEventArray or MapType.CgroupArray or MapType.StackTrace or MapType.ArrayOfMaps or MapType.HashOfMaps
            or MapType.DevMap or MapType.DevMapHash or MapType.CpuMap or MapType.XskMap or MapType.SockMap
            or MapType.SockHash or MapType.Queue or MapType.Stack => false,
        MapType.Unspecified or MapType.Hash or MapType.Array or MapType.ProgArray or MapType.PerCpuHash or MapType.PerCpuArray
            or MapType.LruHash or MapType.LruPerCpuHash or MapType.LpmTrie or MapType.CgroupStorage
            or MapType.ReuseportSockArray or MapType.PerCpuCgroupStorage or MapType.SkStorage or MapType.StructOps
            or MapType.RingBuf or MapType.InodeStorage or MapType.TaskStorage or MapType.BloomFilter or MapType.UserRingBuf
            or MapType.CgrpStorage or MapType.Arena => true,
        _ => false,
    };

    /// <summary>The kernel's name (<c>BPF_MAP_TYPE_HASH</c> -&gt; <c>hash</c>, as bpftool prints it).</summary>
    public static string KernelName(MapType type) => type switch
    {
        MapType.Unspecified => "unspec",
        MapType.Hash => "hash",
        MapType.Array => "array",
        MapType.ProgArray => "prog_array",
        MapType.PerfEventArray => "perf_event_array",
        MapType.PerCpuHash => "percpu_hash",
        MapType.PerCpuArray => "percpu_array",
        MapType.StackTrace => "stack_trace",
        MapType.CgroupArray => "cgroup_array",
        MapType.LruHash => "lru_hash",
        MapType.LruPerCpuHash => "lru_percpu_hash",
        MapType.LpmTrie => "lpm_trie",
        MapType.ArrayOfMaps => "array_of_maps",
        MapType.HashOfMaps => "hash_of_maps",
        MapType.DevMap => "devmap",
        MapType.SockMap => "sockmap",
        MapType.CpuMap => "cpumap",
        MapType.XskMap => "xskmap",
        MapType.SockHash => "sockhash",
        MapType.CgroupStorage => "cgroup_storage",
        MapType.ReuseportSockArray => "reuseport_sockarray",
        MapType.PerCpuCgroupStorage => "percpu_cgroup_storage",
        MapType.Queue => "queue",
        MapType.Stack => "stack",
        MapType.SkStorage => "sk_storage",
        MapType.DevMapHash => "devmap_hash",
        MapType.StructOps => "struct_ops",
        MapType.RingBuf => "ringbuf",
        MapType.InodeStorage => "inode_storage",
        MapType.TaskStorage => "task_storage",
        MapType.BloomFilter => "bloom_filter",
        MapType.UserRingBuf => "user_ringbuf",
        MapType.CgrpStorage => "cgrp_storage",
        MapType.Arena => "arena",
        _ => $"map type {(uint)type}",
    };
}
