namespace Ebpf.Runtime.Syscalls;

/// <summary>What the running kernel supports, probed once with a throw-away object (as libbpf's and cilium/ebpf's feature probes do).</summary>
internal static unsafe class KernelFeatures
{
    static readonly Lazy<bool> BatchLazy = new(ProbeMapBatchCommands);

    /// <summary>BPF_MAP_LOOKUP_BATCH and friends (kernel 5.6+). Kernels before them answer EINVAL for the unknown command,
    /// which for a known command would mean bad arguments; the probe tells the two apart.</summary>
    public static bool MapBatchCommands => BatchLazy.Value;

    static bool ProbeMapBatchCommands()
    {
        var create = new MapCreateAttr { MapType = (uint)Ebpf.Object.MapType.Hash, KeySize = 4, ValueSize = 4, MaxEntries = 1 };
        int mapFd = BpfSyscall.Invoke(BpfCommand.MapCreate, ref create, out _);
        if (mapFd < 0) return false;
        try
        {
            ulong token = 0;
            uint key = 0, value = 0;
            var attr = new MapBatchAttr { OutBatch = (ulong)&token, Keys = (ulong)&key, Values = (ulong)&value, Count = 1, MapFd = (uint)mapFd };
            int rc = BpfSyscall.Invoke(BpfCommand.MapLookupBatch, ref attr, out int errno);
            return rc >= 0 || errno == Errno.ENOENT;
        }
        finally
        {
            Libc.Close(mapFd);
        }
    }
}
