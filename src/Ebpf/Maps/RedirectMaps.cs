namespace Ebpf;

/// <summary>The shared behaviour of the maps an XDP program redirects through (<c>bpf_redirect_map</c>):
/// a u32 key selects an interface, a CPU or an AF_XDP socket that user space stored there.</summary>
/// <remarks>Managed: <see cref="Set"/> stores an entry as user space would; <see cref="Redirect"/> gives
/// <see cref="XdpAction.Redirect"/> for a key with an entry and the fallback action otherwise, as the kernel does.</remarks>
public abstract class RedirectMap : BpfMap
{
    readonly Dictionary<uint, uint> _entries = [];
    readonly Lock _gate = new();

    private protected RedirectMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning)
        : base(type, maxEntries, flags, pinning) { }

    /// <summary>Whether the map is keyed by index (0..max_entries-1) rather than hashed.</summary>
    private protected virtual bool IndexedByKey => true;

    /// <summary>Redirects the packet to the target under <paramref name="key"/>; returns
    /// <see cref="XdpAction.Redirect"/>, or <paramref name="fallback"/> when the key holds no target.</summary>
    /// <remarks><c>bpf_redirect_map(map, key, flags)</c>: the low two bits of flags are the action returned
    /// when the lookup fails (kernel 5.6+). XDP programs only.</remarks>
    [MapHelper(51)]
    public XdpAction Redirect(uint key, XdpAction fallback = XdpAction.Aborted)
    {
        lock (_gate) return _entries.ContainsKey(key) ? XdpAction.Redirect : (XdpAction)((uint)fallback & 3);
    }

    /// <summary>Stores a target (an ifindex, a queue size, a socket fd) under <paramref name="key"/>, as user space does.</summary>
    [ManagedOnly]
    public void Set(uint key, uint target)
    {
        if (IndexedByKey && key >= MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(key), $"Key {key} is outside the map of {MaxEntries} entries (the kernel gives E2BIG).");
        lock (_gate)
        {
            if (!IndexedByKey && !_entries.ContainsKey(key) && _entries.Count >= MaxEntries)
                throw new InvalidOperationException($"The map is full ({MaxEntries} entries; the kernel gives E2BIG).");
            _entries[key] = target;
        }
    }

    /// <summary>Removes the entry under <paramref name="key"/>; false when there was none.</summary>
    [ManagedOnly]
    public bool Remove(uint key) { lock (_gate) return _entries.Remove(key); }

    /// <summary>The number of entries held.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _entries.Count; } }
}

/// <summary>Interfaces by index (BPF_MAP_TYPE_DEVMAP): user space stores an ifindex under a key; an XDP
/// program sends the packet out of that interface with <see cref="RedirectMap.Redirect"/>.</summary>
/// <remarks>Kernel 4.14. Key and value are u32 (the ifindex).</remarks>
[BpfMap(MapType.Devmap, KeySize = 4, ValueSize = 4)]
public sealed class DevMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : RedirectMap(MapType.Devmap, maxEntries, flags, pinning);

/// <summary>Interfaces by any u32 key (BPF_MAP_TYPE_DEVMAP_HASH), for sparse keys such as ifindexes themselves.</summary>
/// <remarks>Kernel 5.4. Key and value are u32 (the ifindex).</remarks>
[BpfMap(MapType.DevmapHash, KeySize = 4, ValueSize = 4)]
public sealed class DevMapHash(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : RedirectMap(MapType.DevmapHash, maxEntries, flags, pinning)
{
    private protected override bool IndexedByKey => false;
}

/// <summary>CPUs by index (BPF_MAP_TYPE_CPUMAP): <see cref="RedirectMap.Redirect"/> queues the packet to the
/// CPU of the key, which builds the skb there.</summary>
/// <remarks>Kernel 4.15. The key is the CPU number (max_entries at most the number of possible CPUs);
/// the value is the u32 queue size user space gives the CPU.</remarks>
[BpfMap(MapType.Cpumap, KeySize = 4, ValueSize = 4)]
public sealed class CpuMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : RedirectMap(MapType.Cpumap, maxEntries, flags, pinning);

/// <summary>AF_XDP sockets by receive queue (BPF_MAP_TYPE_XSKMAP): <see cref="RedirectMap.Redirect"/> hands the
/// packet to the socket of the key (usually <c>ctx.RxQueueIndex</c>).</summary>
/// <remarks>Kernel 4.18. Key u32 (queue index), value the u32 socket fd user space stores.</remarks>
[BpfMap(MapType.Xskmap, KeySize = 4, ValueSize = 4)]
public sealed class XskMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : RedirectMap(MapType.Xskmap, maxEntries, flags, pinning);
