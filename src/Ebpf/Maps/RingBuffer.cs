using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.Semantics;

namespace Ebpf;

/// <summary>Flags of a ring buffer submit, discard or output (BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP).</summary>
[Flags]
public enum RingBufferFlags : ulong
{
    /// <summary>Wake the consumer when it has caught up with the producer (the adaptive default).</summary>
    None = 0,
    /// <summary>BPF_RB_NO_WAKEUP: do not notify the consumer (batching; a later record or a poll timeout picks it up).</summary>
    NoWakeup = 1,
    /// <summary>BPF_RB_FORCE_WAKEUP: notify the consumer unconditionally.</summary>
    ForceWakeup = 2,
}

/// <summary>What <see cref="RingBuffer.Query"/> reports (BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS, BPF_RB_PROD_POS).</summary>
public enum RingBufferQuery : ulong
{
    /// <summary>BPF_RB_AVAIL_DATA: bytes produced and not yet consumed.</summary>
    AvailableData = 0,
    /// <summary>BPF_RB_RING_SIZE: the ring's size.</summary>
    RingSize = 1,
    /// <summary>BPF_RB_CONS_POS: the consumer's position.</summary>
    ConsumerPosition = 2,
    /// <summary>BPF_RB_PROD_POS: the producer's position.</summary>
    ProducerPosition = 3,
}

/// <summary>A ring buffer shared by all CPUs (BPF_MAP_TYPE_RINGBUF): programs reserve a record, fill it
/// in place, and submit it; user space consumes records in reservation order.</summary>
/// <remarks>
/// Kernel 5.8. The size (<c>max_entries</c>) is a power of two and a multiple of the page size. Each record
/// takes an 8-byte header plus its size rounded up to 8 bytes; a reservation that does not fit in the space
/// not yet consumed fails. Records become visible in reservation order: an earlier record still reserved
/// holds back later submitted ones, and a discarded record is skipped.
/// The managed ring buffer keeps that accounting exactly; a reserved record is NOT zeroed (as in the kernel,
/// it holds stale bytes), so a test notices a field the program forgot to set. <see cref="TryTake(out byte[])"/>,
/// <see cref="TakeAll"/> and the counters are the consumer side, for tests.
/// </remarks>
[BpfMap(MapType.Ringbuf, KeySize = 0, ValueSize = 0)]
public sealed unsafe class RingBuffer : BpfMap
{
    /// <summary>BPF_RINGBUF_HDR_SZ: the header before each record.</summary>
    public const int HeaderSize = RingBufferRecord.HeaderSize;
    const byte StaleByte = 0xA5;

    sealed class Record(nint memory, int size, long position)
    {
        public readonly nint Memory = memory;
        public readonly int Size = size;
        public readonly long Position = position;
        public bool Busy = true;
        public bool Discarded;
        public long Length => RingBufferRecord.Footprint(Size);
    }

    readonly LinkedList<Record> _records = new();      // reservation order
    readonly Dictionary<nint, Record> _byAddress = [];
    readonly Lock _gate = new();
    long _producer, _consumer;

    /// <summary>Defines the ring buffer of <paramref name="sizeBytes"/> bytes (a power of two, a multiple of 4096).</summary>
    public RingBuffer(uint sizeBytes, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.Ringbuf, sizeBytes, flags, pinning)
    {
        if (!uint.IsPow2(sizeBytes) || sizeBytes % 4096 != 0)
            throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes,
                "A ring buffer's size must be a power of two and a multiple of the page size (4096); the kernel rejects other sizes with EINVAL.");
    }

    /// <summary>The ring's size in bytes.</summary>
    [ManagedOnly] public uint SizeBytes => MaxEntries;

    /// <summary>Reserves space for a <typeparamref name="T"/> and returns a reference to it, or a null reference when
    /// the ring is full (check with <c>Unsafe.IsNullRef</c>). The program must then <see cref="Submit{T}"/> or
    /// <see cref="Discard{T}"/> it on every path; the verifier checks that.</summary>
    /// <remarks><c>bpf_ringbuf_reserve(map, sizeof(T), 0)</c>.</remarks>
    [MapHelper(131)]
    public ref T Reserve<T>() where T : unmanaged
    {
        var memory = ReserveBytes(sizeof(T));
        if (memory == 0) return ref Unsafe.NullRef<T>();
        return ref Unsafe.AsRef<T>((void*)memory);
    }

    /// <summary>Commits a reserved record: the consumer will see it.</summary>
    /// <remarks><c>bpf_ringbuf_submit(&amp;record, flags)</c>: the helper takes the record, not the map.</remarks>
    [MapHelper(132)]
    public void Submit<T>(ref T record, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        Commit((nint)Unsafe.AsPointer(ref record), discard: false, flags);

    /// <summary>Gives a reserved record back: the consumer skips it.</summary>
    /// <remarks><c>bpf_ringbuf_discard(&amp;record, flags)</c>: the helper takes the record, not the map.</remarks>
    [MapHelper(133)]
    public void Discard<T>(ref T record, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        Commit((nint)Unsafe.AsPointer(ref record), discard: true, flags);

    /// <summary>Copies <paramref name="data"/> into a new record and submits it; returns 0 or -EAGAIN when the ring is full.</summary>
    /// <remarks><c>bpf_ringbuf_output(map, &amp;data, sizeof(T), flags)</c>, kernel 5.8. Costs a copy that
    /// <see cref="Reserve{T}"/> avoids.</remarks>
    [MapHelper(130)]
    public long Output<T>(in T data, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        Output(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in data, 1)), flags);

    /// <summary>Copies <paramref name="data"/> into a new record and submits it; returns 0 or -EAGAIN when the ring is full.</summary>
    /// <remarks><c>bpf_ringbuf_output(map, data, data.Length, flags)</c>.</remarks>
    [MapHelper(130)]
    public long Output(ReadOnlySpan<byte> data, RingBufferFlags flags = RingBufferFlags.None)
    {
        if (((ulong)flags & ~3UL) != 0) return -Errno.EINVAL;
        var memory = ReserveBytes(data.Length);
        if (memory == 0) return -Errno.EAGAIN;
        data.CopyTo(new Span<byte>((void*)memory, data.Length));
        Commit(memory, discard: false, flags);
        return 0;
    }

    /// <summary>A property of the ring: bytes not yet consumed, its size, or the consumer/producer positions.</summary>
    /// <remarks><c>bpf_ringbuf_query(map, what)</c>, kernel 5.8. Unknown queries give 0.</remarks>
    [MapHelper(134)]
    public ulong Query(RingBufferQuery what)
    {
        lock (_gate)
        {
            return what switch
            {
                RingBufferQuery.AvailableData => (ulong)(_producer - _consumer),
                RingBufferQuery.RingSize => MaxEntries,
                RingBufferQuery.ConsumerPosition => (ulong)_consumer,
                RingBufferQuery.ProducerPosition => (ulong)_producer,
                _ => 0,
            };
        }
    }

    // ----- consumer side (managed only) -----

    /// <summary>How many times the consumer would have been woken (epoll notifications).</summary>
    [ManagedOnly] public int Notifications { get; private set; }

    /// <summary>Takes the next submitted record; false when none is ready (empty, or the next one still reserved).</summary>
    [ManagedOnly]
    public bool TryTake(out byte[] record)
    {
        lock (_gate)
        {
            while (_records.First is { } first && !first.Value.Busy)
            {
                var next = first.Value;
                _records.RemoveFirst();
                _byAddress.Remove(next.Memory);
                _consumer = next.Position + next.Length;
                var bytes = new ReadOnlySpan<byte>((void*)next.Memory, next.Size).ToArray();
                NativeMemory.Free((void*)next.Memory);
                if (next.Discarded) continue;
                record = bytes;
                return true;
            }
            record = [];
            return false;
        }
    }

    /// <summary>Takes the next submitted record as a <typeparamref name="T"/>; false when none is ready.</summary>
    /// <exception cref="InvalidOperationException">The record is smaller than a <typeparamref name="T"/>.</exception>
    [ManagedOnly]
    public bool TryTake<T>(out T record) where T : unmanaged
    {
        if (!TryTake(out byte[] bytes)) { record = default; return false; }
        if (bytes.Length < sizeof(T))
            throw new InvalidOperationException($"The record has {bytes.Length} bytes; a {typeof(T).Name} needs {sizeof(T)}.");
        record = MemoryMarshal.Read<T>(bytes);
        return true;
    }

    /// <summary>Takes every submitted record that is ready, in order.</summary>
    [ManagedOnly]
    public List<byte[]> TakeAll()
    {
        var all = new List<byte[]>();
        while (TryTake(out byte[] record)) all.Add(record);
        return all;
    }

    /// <summary>Takes every ready record as a <typeparamref name="T"/>, in order.</summary>
    [ManagedOnly]
    public List<T> TakeAll<T>() where T : unmanaged
    {
        var all = new List<T>();
        while (TryTake(out T record)) all.Add(record);
        return all;
    }

    nint ReserveBytes(int size)
    {
        lock (_gate)
        {
            long length = RingBufferRecord.Footprint(size);
            if (_producer + length - _consumer > MaxEntries) return 0;
            var memory = (nint)NativeMemory.Alloc((nuint)Math.Max(size, 1));
            new Span<byte>((void*)memory, size).Fill(StaleByte);
            var record = new Record(memory, size, _producer);
            _records.AddLast(record);
            _byAddress.Add(memory, record);
            _producer += length;
            return memory;
        }
    }

    void Commit(nint memory, bool discard, RingBufferFlags flags)
    {
        lock (_gate)
        {
            if (!_byAddress.TryGetValue(memory, out var record) || !record.Busy)
                throw new InvalidOperationException("Submit/Discard of a reference that is not an outstanding reservation of this ring buffer (the verifier rejects this).");
            record.Busy = false;
            record.Discarded = discard;
            // The kernel wakes the consumer when it has consumed everything before this record.
            bool wake = (flags & RingBufferFlags.ForceWakeup) != 0
                || ((flags & RingBufferFlags.NoWakeup) == 0 && _consumer == record.Position);
            if (wake) Notifications++;
        }
    }
}
