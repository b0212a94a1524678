namespace Ebpf.Testing.Memory;

/// <summary>The interpreter's flat 64-bit address space: every byte a program may touch belongs to one
/// <see cref="MemoryRegion"/>; everything else (including address 0) is unmapped and faults when accessed.</summary>
/// <remarks>Regions are placed far apart with unmapped guard gaps, so an access that runs off the end of one region
/// never lands in the next.</remarks>
public sealed class AddressSpace
{
    const ulong FirstAddress = 0x0000_7f00_0000_0000;
    const ulong Guard = 0x1_0000;
    readonly List<MemoryRegion> _regions = new(); // sorted by address (allocation is monotonic)
    ulong _next = FirstAddress;
    MemoryRegion? _last;

    public IReadOnlyList<MemoryRegion> Regions => _regions;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="bytes"/> from <paramref name="offset"/> as a new region.</summary>
    public MemoryRegion Map(string name, RegionKind kind, byte[] bytes, int offset, int length, bool writable,
        IReadOnlyDictionary<int, Func<ulong>>? pointerFields = null)
    {
        var region = new MemoryRegion(name, kind, _next, bytes, offset, length, writable) { PointerFields = pointerFields };
        _next += ((ulong)length + 15 & ~15UL) + Guard;
        _regions.Add(region);
        return region;
    }

    public MemoryRegion Map(string name, RegionKind kind, byte[] bytes, bool writable = true) => Map(name, kind, bytes, 0, bytes.Length, writable);

    public void Unmap(MemoryRegion region)
    {
        int index = IndexOf(region.Address);
        if (index >= 0 && ReferenceEquals(_regions[index], region)) _regions.RemoveAt(index);
        if (ReferenceEquals(_last, region)) _last = null;
    }

    /// <summary>The region holding all of [<paramref name="address"/>, <paramref name="address"/> + <paramref name="size"/>), or null.</summary>
    public MemoryRegion? Find(ulong address, int size)
    {
        var last = _last;
        if (last is not null && last.Contains(address, size)) return last;
        int index = IndexOf(address);
        if (index < 0) return null;
        var region = _regions[index];
        if (!region.Contains(address, size)) return null;
        _last = region;
        return region;
    }

    /// <summary>The region starting at or below <paramref name="address"/> closest to it (for fault messages), or null.</summary>
    public MemoryRegion? Nearest(ulong address)
    {
        int index = IndexOf(address);
        return index >= 0 ? _regions[index] : null;
    }

    /// <summary>The first region starting above <paramref name="address"/>, or null.</summary>
    public MemoryRegion? Above(ulong address)
    {
        int index = IndexOf(address) + 1;
        return index < _regions.Count ? _regions[index] : null;
    }

    int IndexOf(ulong address)
    {
        int lo = 0, hi = _regions.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_regions[mid].Address <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
