namespace Ebpf;

/// <summary>The base of every map type: the map's definition, as user space and tests see it.</summary>
/// <remarks>The kernel-side operations are on each map type; these members are for managed code.</remarks>
public abstract class BpfMap
{
    private protected BpfMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning)
        : this(type, maxEntries, flags, pinning, sizedByOwners: false) { }

    /// <summary>A map whose size the kernel objects it hangs values on decide (local storage): max_entries 0.</summary>
    private protected BpfMap(MapType type, MapFlags flags, MapPinning pinning)
        : this(type, 0, flags, pinning, sizedByOwners: true) { }

    BpfMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning, bool sizedByOwners)
    {
        if (maxEntries == 0 && !sizedByOwners)
            throw new ArgumentOutOfRangeException(nameof(maxEntries), $"A {type} map needs maxEntries > 0 (the kernel rejects max_entries 0 with EINVAL).");
        if (!Enum.IsDefined(pinning))
            throw new ArgumentOutOfRangeException(nameof(pinning), $"Unknown pinning {pinning}.");
        Type = type;
        MaxEntries = maxEntries;
        Flags = flags;
        Pinning = pinning;
    }

    /// <summary>The kernel map type.</summary>
    [ManagedOnly] public MapType Type { get; }
    /// <summary>The map's capacity (<c>max_entries</c>).</summary>
    [ManagedOnly] public uint MaxEntries { get; }
    /// <summary>The creation flags (<c>map_flags</c>).</summary>
    [ManagedOnly] public MapFlags Flags { get; }
    /// <summary>How a loader pins the map.</summary>
    [ManagedOnly] public MapPinning Pinning { get; }

    /// <summary>Checks update flags as the kernel does before touching the map: only BPF_ANY, BPF_NOEXIST
    /// or BPF_EXIST, optionally with BPF_F_LOCK, which needs a <c>bpf_spin_lock</c> in the value: the
    /// managed maps model none, so BPF_F_LOCK gives -EINVAL as it does for such a map in the kernel.</summary>
    private protected static long CheckUpdateFlags(MapUpdate flags)
    {
        ulong raw = (ulong)flags;
        if ((raw & ~(ulong)MapUpdate.Lock) > (ulong)MapUpdate.Exist) return -Errno.EINVAL;
        if ((raw & (ulong)MapUpdate.Lock) != 0) return -Errno.EINVAL;
        return 0;
    }
}
