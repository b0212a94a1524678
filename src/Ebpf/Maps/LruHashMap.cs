namespace Ebpf;

/// <summary>A hash map that evicts its least recently used entry when full (BPF_MAP_TYPE_LRU_HASH).</summary>
/// <remarks>Kernel 4.10. An update of a new key in a full map succeeds by evicting; a lookup or update marks
/// an entry as used. The kernel's LRU is approximate (per-CPU lists, a reference bit); the managed map
/// evicts exactly the least recently used entry, which is one of the orders the kernel may choose.</remarks>
[BpfMap(MapType.LruHash)]
public sealed class LruHashMap<TKey, TValue> : HashMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    /// <summary>Defines the map: <paramref name="maxEntries"/> is its capacity.</summary>
    public LruHashMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.LruHash, maxEntries, flags, pinning) { }
}
