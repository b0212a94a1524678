using Ebpf.Object;
using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Creates the interpreter's map for a map of an object.</summary>
public static class MapFactory
{
    /// <summary>The map <paramref name="spec"/> describes; map types the interpreter cannot model throw
    /// <see cref="NotSupportedException"/> naming the map and its type.</summary>
    public static InterpreterMap Create(MapSpec spec, AddressSpace memory)
    {
        if (spec.Type is KernelMapType.ArrayOfMaps or KernelMapType.HashOfMaps)
            throw new NotSupportedException($"map '{spec.Name}': a map of maps holds maps of a VM; it is created with the VM's object");
        return CreateIn(spec, memory);
    }

    /// <summary>The map <paramref name="spec"/> describes, in <paramref name="vm"/> (maps of maps included).</summary>
    internal static InterpreterMap Create(MapSpec spec, BpfVm vm)
        => spec.Type is KernelMapType.ArrayOfMaps or KernelMapType.HashOfMaps ? new MapOfMapsMap(spec, vm) : CreateIn(spec, vm.Memory);

    static InterpreterMap CreateIn(MapSpec spec, AddressSpace memory)
    {
        int key = checked((int)spec.KeySize), value = checked((int)spec.ValueSize), max = checked((int)spec.MaxEntries);
        switch (spec.Type)
        {
            case KernelMapType.Hash:
            case KernelMapType.PerCpuHash:
            case KernelMapType.LruHash:
            case KernelMapType.LruPerCpuHash:
                return new HashTable(spec.Name, spec.Type, key, value, max, memory);
            case KernelMapType.Array:
            case KernelMapType.PerCpuArray:
                return new ArrayTable(spec.Name, spec.Type, key, value, max, memory);
            case KernelMapType.RingBuf:
                return new RingBufferMap(spec.Name, max, memory);
            case KernelMapType.PerfEventArray:
                return new PerfEventArrayMap(spec.Name, Math.Max(max, 1), memory);
            case KernelMapType.ProgArray:
                return new ProgramArrayMap(spec.Name, max, memory);
            case KernelMapType.Queue:
            case KernelMapType.Stack:
                return new QueueStackMap(spec.Name, spec.Type, value, max, memory);
            case KernelMapType.LpmTrie:
                return new LpmTrieMap(spec.Name, key, value, max, memory);
            case KernelMapType.BloomFilter:
                return new BloomFilterMap(spec.Name, value, max, memory);
            case KernelMapType.TaskStorage:
            case KernelMapType.InodeStorage:
            case KernelMapType.SkStorage:
            case KernelMapType.CgrpStorage:
                return new LocalStorageMap(spec.Name, spec.Type, key, value, max, memory);
            case KernelMapType.UserRingBuf:
                return new UserRingBufferMap(spec.Name, max, memory);
            case KernelMapType.DevMap:
            case KernelMapType.DevMapHash:
            case KernelMapType.CpuMap:
            case KernelMapType.XskMap:
                return new RedirectTable(spec.Name, spec.Type, key, value, max, memory);
            case KernelMapType.StackTrace:
                return new StackTraceTable(spec.Name, value, max, memory);
            case KernelMapType.Unspecified:
            case KernelMapType.CgroupArray:
            case KernelMapType.ArrayOfMaps:
            case KernelMapType.HashOfMaps:
            case KernelMapType.SockMap:
            case KernelMapType.SockHash:
            case KernelMapType.CgroupStorage:
            case KernelMapType.ReuseportSockArray:
            case KernelMapType.PerCpuCgroupStorage:
            case KernelMapType.StructOps:
            case KernelMapType.Arena:
                throw new NotSupportedException($"map '{spec.Name}': the interpreter does not model {spec.Type} maps (hash, array, per-CPU and LRU variants, LPM trie, bloom filter, maps of maps, task/inode/socket/cgroup storage, ring buffer, user ring buffer, device/CPU/XSK maps, stack traces, perf event array, program array, queue and stack are supported)");
        }
        throw new NotSupportedException($"map '{spec.Name}': unknown map type {(uint)spec.Type}");
    }
}
