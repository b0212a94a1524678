using System.Runtime.CompilerServices;
using Ebpf.Object;
using Ebpf.Runtime.Events;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Receives one sample a program sent with <c>bpf_perf_event_output</c>; the span (the raw data, padded by the
/// kernel to 4 mod 8 bytes) is valid only during the call.</summary>
public delegate void PerfSampleHandler(int cpu, ReadOnlySpan<byte> sample);

/// <summary>Told that CPU <paramref name="cpu"/>'s buffer was full and the kernel dropped <paramref name="lost"/> samples (PERF_RECORD_LOST).</summary>
public delegate void PerfLostHandler(int cpu, ulong lost);

/// <summary>Options of a <see cref="PerfBufferReader"/>.</summary>
public sealed class PerfBufferOptions
{
    /// <summary>Data pages of each CPU's ring (a power of two; default 64, 256 KiB with 4 KiB pages).</summary>
    public int PagesPerCpu { get; init; } = 64;
    /// <summary>Samples per wakeup (perf_event_attr.wakeup_events; default 1). Larger values batch wakeups: a waiting reader
    /// is woken once per that many samples, so poll with a timeout or call Drain to read the rest.</summary>
    public uint WakeupEvents { get; init; } = 1;
}

/// <summary>Reads a BPF_MAP_TYPE_PERF_EVENT_ARRAY the way libbpf's perf_buffer does: one PERF_COUNT_SW_BPF_OUTPUT event
/// per online CPU (perf_event_open), its fd stored in the map at the CPU's index, a ring of <see cref="PerfBufferOptions.PagesPerCpu"/>
/// pages mmap-ed per CPU, and one epoll over all of them. Samples (PERF_RECORD_SAMPLE) are passed in place, records
/// that wrap the ring's end through a copy; PERF_RECORD_LOST adds to <see cref="LostSamples"/>.</summary>
/// <remarks>Kernel 4.4+ (bpf_perf_event_output). The reader owns the perf events and removes them from the map when disposed;
/// it does not own the map. One reader per map.</remarks>
public sealed unsafe class PerfBufferReader : IDisposable
{
    const uint PerfTypeSoftware = 1, PerfCountSwBpfOutput = 10;
    const ulong PerfSampleRaw = 1UL << 10;
    const uint RecordLost = 2, RecordSample = 9;
    const int DataHeadOffset = 1024, DataTailOffset = 1032;

    readonly Map _map;
    readonly PerfRing[] _rings;
    readonly nuint _pageSize;
    readonly ulong _dataSize;
    readonly EpollHandle _epoll;
    readonly EventNative.EpollEvent[] _events;
    byte[] _scratch = GC.AllocateArray<byte>(256, pinned: true);
    ulong _lost;
    bool _disposed;

    sealed class PerfRing(int cpu, PerfEventHandle handle, byte* page)
    {
        public readonly int Cpu = cpu;
        public readonly PerfEventHandle Handle = handle;
        public byte* Page = page;
    }

    /// <summary>Opens one perf event and ring per online CPU (those below the map's max_entries) and stores them in <paramref name="map"/>.</summary>
    public PerfBufferReader(Map map, PerfBufferOptions? options = null)
    {
        options ??= new PerfBufferOptions();
        if (map.Type != MapType.PerfEventArray)
            throw new ArgumentException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not perf_event_array", nameof(map));
        if (options.PagesPerCpu <= 0 || (options.PagesPerCpu & (options.PagesPerCpu - 1)) != 0)
            throw new ArgumentException($"PagesPerCpu must be a power of two; got {options.PagesPerCpu}", nameof(options));
        _map = map;
        _pageSize = (nuint)Environment.SystemPageSize;
        _dataSize = (ulong)options.PagesPerCpu * _pageSize;
        var cpus = PossibleCpus.Online.Where(cpu => cpu < map.MaxEntries).ToArray();
        _rings = new PerfRing[cpus.Length];
        _events = new EventNative.EpollEvent[Math.Max(1, cpus.Length)];
        _epoll = new EpollHandle(EventNative.EpollCreate());
        try
        {
            for (int i = 0; i < cpus.Length; i++) _rings[i] = Open(cpus[i], i, options);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    PerfRing Open(int cpu, int index, PerfBufferOptions options)
    {
        var attr = new PerfEventAttr
        {
            Type = PerfTypeSoftware,
            Config = PerfCountSwBpfOutput,
            SampleType = PerfSampleRaw,
            SamplePeriod = 1,
            WakeupEvents = Math.Max(1, options.WakeupEvents),
        };
        int fd = PerfEvents.Open(ref attr, pid: -1, cpu, out int errno);
        if (fd < 0)
            throw new BpfException($"open the BPF output perf event of CPU {cpu} for perf buffer '{_map.Name}'", errno,
                errno is Errno.EACCES or Errno.EPERM ? "system-wide perf events need CAP_PERFMON or CAP_SYS_ADMIN (or kernel.perf_event_paranoid <= -1)" : null);
        var handle = new PerfEventHandle(fd);
        try
        {
            byte* page = EventNative.Map(fd, _pageSize + (nuint)_dataSize, EventNative.ProtRead | EventNative.ProtWrite, 0,
                $"map the perf ring of CPU {cpu} for perf buffer '{_map.Name}'");
            var ring = new PerfRing(cpu, handle, page);
            _rings[index] = ring;
            int key = cpu, value = fd;
            _map.Update(TypedMapChecks.Bytes(ref key), TypedMapChecks.Bytes(ref value));
            using var epoll = _epoll.Lease();
            EventNative.EpollAdd(epoll.Fd, fd, (ulong)index, $"watch the perf ring of CPU {cpu}");
            if (PerfEvents.Ioctl(fd, PerfEvents.IocEnable, 0, out errno) < 0)
                throw new BpfException($"enable the perf event of CPU {cpu}", errno);
            return ring;
        }
        catch
        {
            if (_rings[index] is null) handle.Dispose();
            throw;
        }
    }

    /// <summary>The perf_event_array read.</summary>
    public Map Map => _map;
    /// <summary>CPUs with a ring.</summary>
    public IEnumerable<int> Cpus => _rings.Where(r => r is not null).Select(r => r.Cpu);
    /// <summary>Samples the kernel dropped because a ring was full, over the reader's life (PERF_RECORD_LOST).</summary>
    public ulong LostSamples => _lost;

    /// <summary>Reads every sample available now on every CPU; returns how many were handled.</summary>
    public int Drain(PerfSampleHandler handler, PerfLostHandler? lost = null)
    {
        var adapter = new DelegateHandler(handler, lost);
        return ConsumeAll(ref adapter);
    }

    /// <summary>Reads every sample available now with a struct handler (inlined by the JIT; the fastest path).
    /// Lost samples are counted in <see cref="LostSamples"/>.</summary>
    public int Consume<THandler>(ref THandler handler) where THandler : struct, IRecordHandler
    {
        var adapter = new RecordHandlerAdapter<THandler>(handler);
        int n = ConsumeAll(ref adapter);
        handler = adapter.Inner;
        return n;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a wakeup, then reads the rings that have data.</summary>
    public int Poll(PerfSampleHandler handler, TimeSpan timeout, PerfLostHandler? lost = null)
    {
        int ready = Wait(timeout);
        var adapter = new DelegateHandler(handler, lost);
        int n = 0;
        for (int i = 0; i < ready; i++) n += ConsumeRing(_rings[(int)_events[i].Data], ref adapter);
        return n;
    }

    /// <summary>Waits until a ring has been woken (per <see cref="PerfBufferOptions.WakeupEvents"/>) or data is available; true when so.</summary>
    public bool WaitForData(TimeSpan timeout) => HasData() || Wait(timeout) > 0;

    /// <summary>Consumes the available samples as values of <typeparamref name="T"/> (each at least that large).</summary>
    public int Drain<T>(Action<T> handler) where T : unmanaged
        => Drain((_, sample) =>
        {
            if (sample.Length < sizeof(T)) RecordSizeException.Throw(typeof(T), sizeof(T), sample.Length);
            handler(System.Runtime.InteropServices.MemoryMarshal.Read<T>(sample));
        });

    /// <summary>Samples as they arrive, copied into <typeparamref name="T"/> values, until <paramref name="cancellation"/> fires.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync<T>([EnumeratorCancellation] CancellationToken cancellation = default, TimeSpan? pollInterval = null)
        where T : unmanaged
    {
        var slice = pollInterval ?? TimeSpan.FromMilliseconds(100);
        var batch = new List<T>();
        while (!cancellation.IsCancellationRequested)
        {
            batch.Clear();
            Drain<T>(batch.Add);
            foreach (var value in batch) yield return value;
            if (batch.Count == 0) await Task.Run(() => WaitForData(slice), CancellationToken.None).ConfigureAwait(false);
        }
    }

    bool HasData()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var ring in _rings)
            if (Volatile.Read(ref *(ulong*)(ring.Page + DataHeadOffset)) != *(ulong*)(ring.Page + DataTailOffset)) return true;
        return false;
    }

    int Wait(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var epoll = _epoll.Lease();
        return EventNative.EpollWait(epoll.Fd, _events, EventNative.Milliseconds(timeout), $"wait for perf buffer '{_map.Name}'");
    }

    int ConsumeAll<THandler>(ref THandler handler) where THandler : struct, IPerfHandler
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int n = 0;
        foreach (var ring in _rings) n += ConsumeRing(ring, ref handler);
        return n;
    }

    /// <summary>Reads one CPU's ring from data_tail to data_head, then publishes data_tail once, as libbpf does. A sample
    /// whose handler throws counts as consumed, with those before it.</summary>
    int ConsumeRing<THandler>(PerfRing ring, ref THandler handler) where THandler : struct, IPerfHandler
    {
        byte* page = ring.Page;
        ulong* tailField = (ulong*)(page + DataTailOffset);
        ulong head = Volatile.Read(ref *(ulong*)(page + DataHeadOffset));   // acquire: records before head are complete
        ulong tail = *tailField;
        if (tail >= head) return 0;
        var cursor = new RingCursor { Cpu = ring.Cpu, Data = page + _pageSize, Head = head, Tail = tail };
        try
        {
            // Runs of records read in place; one that runs past the ring's end is copied out and handled on its own.
            while (ReadInPlace(ref cursor, ref handler))
                ReadWrapped(ref cursor, ref handler);
        }
        finally
        {
            Volatile.Write(ref *tailField, cursor.Tail);                     // release: the kernel may overwrite
        }
        return cursor.Handled;
    }

    /// <summary>Where a drain of one CPU's ring stands: its records run from <see cref="Tail"/> to <see cref="Head"/>.</summary>
    struct RingCursor
    {
        public int Cpu, Handled;
        public byte* Data;
        public ulong Head, Tail;
    }

    /// <summary>Handles records from the cursor's tail until its head; true when it stopped at a record that wraps the
    /// ring's end. The loop works on local copies of the cursor and the handler, so their fields stay in registers
    /// (a struct handler's state is copied back when the run ends); the tail is stored before each handler call, so
    /// the caller publishes it even if the handler throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    bool ReadInPlace<THandler>(ref RingCursor cursor, ref THandler handler) where THandler : struct, IPerfHandler
    {
        var local = handler;
        ulong dataSize = _dataSize, head = cursor.Head, position = cursor.Tail;
        byte* data = cursor.Data, end = data + dataSize;
        // The next record's address waits on this one's size alone: a pointer that moves by the size (zero-extended)
        // and returns to the start at the ring's end, rather than position & mask recomputed from the position.
        byte* record = data + (position & (dataSize - 1));
        int cpu = cursor.Cpu, count = cursor.Handled;
        bool wrapped = false;
        while (position < head)
        {
            ulong size = *(ushort*)(record + 6);
            if (size == 0) break;                                              // cannot happen; never spin
            if ((ulong)(end - record) < size)
            {
                wrapped = true;
                break;
            }
            cursor.Tail = position += size;
            Dispatch(cpu, record, (int)size, ref count, ref local);
            record += size;
            if (record == end) record = data;
        }
        cursor.Handled = count;
        handler = local;
        return wrapped;
    }

    /// <summary>Handles the one record at the cursor's tail that runs past the ring's end, through a copy.</summary>
    void ReadWrapped<THandler>(ref RingCursor cursor, ref THandler handler) where THandler : struct, IPerfHandler
    {
        ulong offset = cursor.Tail & (_dataSize - 1);
        int size = *(ushort*)(cursor.Data + offset + 6);
        byte* record = Unwrap(cursor.Data, offset, size);
        cursor.Tail += (ulong)size;
        Dispatch(cursor.Cpu, record, size, ref cursor.Handled, ref handler);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Dispatch<THandler>(int cpu, byte* record, int size, ref int handled, ref THandler handler) where THandler : struct, IPerfHandler
    {
        uint type = *(uint*)record;
        if (type == RecordSample)
        {
            int rawSize = *(int*)(record + 8);
            handled++;
            handler.OnSample(cpu, new ReadOnlySpan<byte>(record + 12, Math.Min(rawSize, size - 12)));
        }
        else if (type == RecordLost)
        {
            ulong lost = *(ulong*)(record + 16);
            _lost += lost;
            handler.OnLost(cpu, lost);
        }
    }

    /// <summary>A record that runs past the ring's end, copied whole into the scratch buffer.</summary>
    byte* Unwrap(byte* data, ulong offset, int size)
    {
        if (_scratch.Length < size) _scratch = GC.AllocateArray<byte>(Math.Max(size, _scratch.Length * 2), pinned: true);
        int first = (int)(_dataSize - offset);
        fixed (byte* scratch = _scratch)
        {
            new ReadOnlySpan<byte>(data + offset, first).CopyTo(new Span<byte>(scratch, first));
            new ReadOnlySpan<byte>(data, size - first).CopyTo(new Span<byte>(scratch + first, size - first));
            return scratch;                                                    // pinned array: the address stays valid
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var ring in _rings)
        {
            if (ring is null) continue;
            int key = ring.Cpu;
            try
            {
                if (!_map.Handle.IsClosed) _map.Delete(TypedMapChecks.Bytes(ref key));
            }
            catch (BpfException)
            {
                // The slot is freed with the map anyway.
            }
            EventNative.Unmap(ring.Page, _pageSize + (nuint)_dataSize);
            ring.Page = null;
            ring.Handle.Dispose();
        }
        _epoll.Dispose();
    }

    internal interface IPerfHandler
    {
        void OnSample(int cpu, ReadOnlySpan<byte> sample);
        void OnLost(int cpu, ulong lost);
    }

    readonly struct DelegateHandler(PerfSampleHandler sample, PerfLostHandler? lost) : IPerfHandler
    {
        public void OnSample(int cpu, ReadOnlySpan<byte> data) => sample(cpu, data);
        public void OnLost(int cpu, ulong count) => lost?.Invoke(cpu, count);
    }

    struct RecordHandlerAdapter<THandler>(THandler inner) : IPerfHandler where THandler : struct, IRecordHandler
    {
        public THandler Inner = inner;
        public void OnSample(int cpu, ReadOnlySpan<byte> data) => Inner.OnRecord(data);
        public readonly void OnLost(int cpu, ulong count) { }
    }
}
