using System.Runtime.InteropServices;
using Ebpf.Object;
using Ebpf.Runtime.Events;

namespace Ebpf.Runtime;

/// <summary>Produces samples into a user ring buffer (BPF_MAP_TYPE_USER_RINGBUF, kernel 6.1+), which programs consume
/// with <c>bpf_user_ringbuf_drain</c>: the producer page (read-write, <c>producer_pos</c>) and the data area, mapped
/// twice so a sample that wraps around is contiguous, and read-only the consumer page (<c>consumer_pos</c>).</summary>
/// <remarks>A sample is an 8-byte header (<c>u32 len</c>, bit 31 busy, bit 30 discarded; a <c>u32</c> the kernel
/// ignores) and the payload, 8-byte aligned. <see cref="Reserve"/> claims the space with the busy bit set and
/// publishes <c>producer_pos</c> past it; <see cref="Submit"/> clears the bit, after which the kernel may consume the
/// sample. The kernel stops at a busy sample, so samples are consumed in reservation order. One writer per ring, used
/// by one thread at a time (the producer position is this writer's state, as it is libbpf's). The writer does not
/// own the map.</remarks>
public sealed unsafe class UserRingBufferWriter : IDisposable
{
    const uint BusyBit = 0x80000000, DiscardBit = 0x40000000;
    const int HeaderSize = 8;

    readonly Map _map;
    readonly nuint _pageSize;
    readonly ulong _dataSize;
    byte* _consumerPage;
    byte* _producerPage;

    /// <summary>Maps <paramref name="map"/>'s pages; <paramref name="map"/> must be a user ring buffer.</summary>
    public UserRingBufferWriter(Map map)
    {
        if (map.Type != MapType.UserRingBuf)
            throw new ArgumentException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not user_ringbuf", nameof(map));
        _map = map;
        _pageSize = RingMemory.PageSize;
        _dataSize = map.MaxEntries;
        using var fd = map.Handle.Lease();
        RingMemory.Map(fd.Fd, _dataSize, userSpaceProduces: true, $"user ring buffer '{map.Name}'", out _consumerPage, out _producerPage);
    }

    /// <summary>The user ring buffer written.</summary>
    public Map Map => _map;

    /// <summary>Size of the data area (the map's max_entries).</summary>
    public ulong DataSize => _dataSize;

    /// <summary>Bytes the ring has free now for headers, samples and padding.</summary>
    public ulong FreeBytes
    {
        get
        {
            EnsureOpen();
            return _dataSize - (Volatile.Read(ref *(ulong*)_producerPage) - Volatile.Read(ref *(ulong*)_consumerPage));
        }
    }

    /// <summary>Claims <paramref name="size"/> bytes for a sample and returns them, or an empty span when the ring has no
    /// room now (programs have not drained enough). Pass the span to <see cref="Submit"/> or <see cref="Discard"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sample can never fit (it is empty or larger than the ring).</exception>
    public Span<byte> Reserve(int size)
    {
        EnsureOpen();
        ulong total = Footprint(size);
        if (size <= 0 || total > _dataSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a sample of user ring buffer '{_map.Name}' takes 1 to {_dataSize - HeaderSize} bytes");
        ulong consumer = Volatile.Read(ref *(ulong*)_consumerPage);
        ulong producer = *(ulong*)_producerPage;   // this writer is the only one to move it
        if (total > _dataSize - (producer - consumer)) return Span<byte>.Empty;
        byte* header = Data + (producer & (_dataSize - 1));
        *(uint*)header = (uint)size | BusyBit;
        *(uint*)(header + 4) = 0;
        // Release: the header is in memory before the kernel can see the new producer position.
        Volatile.Write(ref *(ulong*)_producerPage, producer + total);
        // The payload follows its header even past the end of the data area: the second mapping continues it.
        return new Span<byte>(header + HeaderSize, size);
    }

    /// <summary>Hands a sample from <see cref="Reserve"/> to the kernel.</summary>
    public void Submit(Span<byte> sample) => Release(sample, discard: false);

    /// <summary>Gives a reserved sample's space back without the kernel's consumers seeing it.</summary>
    public void Discard(Span<byte> sample) => Release(sample, discard: true);

    /// <summary>Reserves, copies <paramref name="sample"/> and submits it; false when the ring has no room now.</summary>
    public bool TryWrite(ReadOnlySpan<byte> sample)
    {
        var space = Reserve(sample.Length);
        if (space.IsEmpty) return false;
        sample.CopyTo(space);
        Submit(space);
        return true;
    }

    /// <summary>Writes the bytes of <paramref name="sample"/> as one sample; false when the ring has no room now.</summary>
    public bool TryWrite<T>(in T sample) where T : unmanaged
        => TryWrite(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in sample)));

    void Release(Span<byte> sample, bool discard)
    {
        EnsureOpen();
        fixed (byte* payload = sample)
        {
            byte* header = payload - HeaderSize;
            if (sample.IsEmpty || header < Data || header >= Data + _dataSize || (*(uint*)header & BusyBit) == 0)
                throw new ArgumentException($"the span is not a sample reserved in user ring buffer '{_map.Name}' and not yet released", nameof(sample));
            uint length = *(uint*)header & ~(BusyBit | DiscardBit);
            // Release: the payload is in memory before the kernel sees the busy bit cleared.
            Interlocked.Exchange(ref *(uint*)header, discard ? length | DiscardBit : length);
        }
    }

    byte* Data => _producerPage + _pageSize;

    static ulong Footprint(int size) => ((ulong)(uint)size + HeaderSize + 7) & ~7UL;

    void EnsureOpen() => ObjectDisposedException.ThrowIf(_producerPage == null, this);

    public void Dispose()
    {
        RingMemory.Unmap(_consumerPage, _producerPage, _dataSize);
        _producerPage = null;
        _consumerPage = null;
    }
}
