using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.Object;
using Ebpf.Runtime.Events;

namespace Ebpf.Runtime;

/// <summary>Receives one ring buffer record; the span is valid only during the call (the kernel reuses the space after).</summary>
public delegate void RingBufferHandler(ReadOnlySpan<byte> record);

/// <summary>A record consumer called without a delegate: a struct implementing it is inlined into the consume loop
/// (<see cref="RingBufferReader.Consume{THandler}"/>, <see cref="PerfBufferReader.Consume{THandler}"/>).</summary>
public interface IRecordHandler
{
    /// <summary>One record, valid only during the call.</summary>
    void OnRecord(ReadOnlySpan<byte> record);
}

/// <summary>Reads records of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF, kernel 5.8+) in place, from memory shared with the
/// kernel: the consumer page (read-write, <c>consumer_pos</c>) and, read-only, the producer page (<c>producer_pos</c>)
/// followed by the data area mapped twice so a record that wraps around is contiguous.</summary>
/// <remarks>Records are <c>u32 len</c> (bit 31 busy, bit 30 discarded) + <c>u32</c> page offset + payload, 8-byte
/// aligned. The reader stops at the first record still being written; discarded records are skipped. It reads
/// <c>producer_pos</c> once per batch (again only when it has caught up) and publishes <c>consumer_pos</c> when it
/// catches up or has consumed a quarter of the ring. One reader per ring: the consumer position is shared state. The
/// reader does not own the map.</remarks>
public sealed unsafe partial class RingBufferReader : IDisposable
{
    internal const uint BusyBit = 0x80000000, DiscardBit = 0x40000000;
    internal const int HeaderSize = 8;

    readonly Map _map;
    readonly nuint _pageSize;
    readonly ulong _dataSize;
    readonly ulong _commitEvery;
    byte* _consumerPage;
    byte* _producerPage;

    /// <summary>Maps <paramref name="map"/>'s pages; <paramref name="map"/> must be a ring buffer.</summary>
    public RingBufferReader(Map map)
    {
        if (map.Type != MapType.RingBuf)
            throw new ArgumentException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not ringbuf", nameof(map));
        _map = map;
        _pageSize = RingMemory.PageSize;
        _dataSize = map.MaxEntries;
        _commitEvery = Math.Max(_dataSize / 4, 8);
        using var fd = map.Handle.Lease();
        RingMemory.Map(fd.Fd, _dataSize, userSpaceProduces: false, $"ring buffer '{map.Name}'", out _consumerPage, out _producerPage);
    }

    /// <summary>The ring buffer map read.</summary>
    public Map Map => _map;

    /// <summary>Size of the data area (the map's max_entries).</summary>
    public ulong DataSize => _dataSize;

    /// <summary>Bytes written by producers and not yet consumed (headers and padding included).</summary>
    public ulong AvailableBytes
    {
        get
        {
            EnsureOpen();
            return Volatile.Read(ref *(ulong*)_producerPage) - Volatile.Read(ref *(ulong*)_consumerPage);
        }
    }

    /// <summary>Consumes every complete record available now (up to <paramref name="maxRecords"/>), calling
    /// <paramref name="handler"/> for each one that was not discarded; returns how many it handled. If the handler
    /// throws, its record counts as consumed.</summary>
    public int Drain(RingBufferHandler handler, int maxRecords = int.MaxValue)
    {
        var adapter = new DelegateHandler(handler);
        return Consume(ref adapter, maxRecords);
    }

    /// <summary>Consumes every complete record available now (up to <paramref name="maxRecords"/>) with a struct handler,
    /// which the JIT specializes and inlines: the fastest way to read. Returns how many records it handled; if the
    /// handler throws, its record counts as consumed.</summary>
    public int Consume<THandler>(ref THandler handler, int maxRecords = int.MaxValue) where THandler : struct, IRecordHandler
    {
        EnsureOpen();
        ulong* consumer = (ulong*)_consumerPage;
        ulong position = *consumer;                                      // only this reader writes it
        try
        {
            return ReadRecords(ref handler, maxRecords, ref position);
        }
        finally
        {
            if (position != *consumer) Volatile.Write(ref *consumer, position);   // release: the kernel may reuse the space
        }
    }

    /// <summary>The loop of <see cref="Consume{THandler}"/>, apart from its try/finally so its state stays in registers;
    /// <paramref name="position"/> is written before each handler call (the caller publishes it even if the handler throws).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int ReadRecords<THandler>(ref THandler handler, int maxRecords, ref ulong position) where THandler : struct, IRecordHandler
    {
        ulong* consumer = (ulong*)_consumerPage;
        ulong* producer = (ulong*)_producerPage;
        byte* data = _producerPage + _pageSize;
        ulong mask = _dataSize - 1;
        ulong commitEvery = _commitEvery;
        ulong current = position;
        ulong committed = current;
        ulong produced = Volatile.Read(ref *producer);                   // acquire: records up to here are visible
        int handled = 0;
        while (handled < maxRecords)
        {
            if (current >= produced)
            {
                if (current != committed) Volatile.Write(ref *consumer, committed = current);   // release
                produced = Volatile.Read(ref *producer);
                if (current >= produced) break;
            }
            byte* header = data + (current & mask);
            uint length = Volatile.Read(ref *(uint*)header);
            if ((length & BusyBit) != 0) break;                          // reserved, not yet submitted
            uint size = length & ~DiscardBit;
            position = current += (size + HeaderSize + 7) & ~7u;
            if ((length & DiscardBit) != 0) continue;
            handled++;
            handler.OnRecord(new ReadOnlySpan<byte>(header + HeaderSize, (int)size));
            if (current - committed >= commitEvery) Volatile.Write(ref *consumer, committed = current);
        }
        return handled;
    }

    /// <summary>The records available now, without a callback: <c>foreach (ReadOnlySpan&lt;byte&gt; record in reader.Records())</c>.
    /// Each span is valid until the next iteration; leaving the loop publishes the consumer position.</summary>
    public RingBufferRecords Records()
    {
        EnsureOpen();
        return new RingBufferRecords(this);
    }

    /// <summary>The records available now as <typeparamref name="T"/> read in place: <c>foreach (ref readonly T e in reader.Records&lt;T&gt;())</c>.
    /// A record shorter than <typeparamref name="T"/> throws <see cref="RecordSizeException"/>.</summary>
    public RingBufferRecords<T> Records<T>() where T : unmanaged
    {
        EnsureOpen();
        return new RingBufferRecords<T>(new RingBufferRecords(this));
    }

    /// <summary>Consumes the available records as copies.</summary>
    public List<byte[]> ReadAvailable()
    {
        var records = new List<byte[]>();
        foreach (var record in Records()) records.Add(record.ToArray());
        return records;
    }

    /// <summary>Consumes the available records as values of <typeparamref name="T"/> (each record must be at least that large).</summary>
    public int Drain<T>(Action<T> handler) where T : unmanaged
    {
        int n = 0;
        foreach (ref readonly var value in Records<T>())
        {
            n++;
            handler(value);
        }
        return n;
    }

    /// <summary>Records as they arrive, copied into <typeparamref name="T"/> values, until <paramref name="cancellation"/> fires.
    /// Waiting happens on a thread-pool thread in slices of <paramref name="pollInterval"/> (default 100 ms).</summary>
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
            if (batch.Count == 0 && !await Task.Run(() => WaitForData(slice), CancellationToken.None).ConfigureAwait(false)) continue;
        }
    }

    /// <summary>Waits until records are available (epoll on the map fd, woken by producers that do not pass
    /// BPF_RB_NO_WAKEUP) or <paramref name="timeout"/> passes; true when data is available.</summary>
    public bool WaitForData(TimeSpan timeout)
    {
        EnsureOpen();
        if (AvailableBytes > 0) return true;
        using var fd = _map.Handle.Lease();
        var pollFd = new PollFd { Fd = fd.Fd, Events = PollIn };
        int milliseconds = EventNative.Milliseconds(timeout);
        while (true)
        {
            int rc = Poll(&pollFd, 1, milliseconds);
            if (rc >= 0) return AvailableBytes > 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Syscalls.Errno.EINTR) throw new BpfException($"wait for ring buffer '{_map.Name}'", errno);
        }
    }

    /// <summary><see cref="WaitForData"/>, then <see cref="Drain(RingBufferHandler, int)"/>.</summary>
    public int Poll(RingBufferHandler handler, TimeSpan timeout) => WaitForData(timeout) ? Drain(handler) : 0;

    void EnsureOpen() => ObjectDisposedException.ThrowIf(_consumerPage == null, this);

    internal ulong* ConsumerPosition => (ulong*)_consumerPage;
    internal ulong* ProducerPosition => (ulong*)_producerPage;
    internal byte* Data => _producerPage + _pageSize;
    internal ulong Mask => _dataSize - 1;
    internal ulong CommitEvery => _commitEvery;

    public void Dispose()
    {
        if (_consumerPage == null) return;
        RingMemory.Unmap(_consumerPage, _producerPage, _dataSize);
        _consumerPage = null;
        _producerPage = null;
    }

    readonly struct DelegateHandler(RingBufferHandler handler) : IRecordHandler
    {
        public void OnRecord(ReadOnlySpan<byte> record) => handler(record);
    }

    const short PollIn = 1;

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}

/// <summary>The records of a ring buffer available when the loop started (and those that arrive while it runs), read in place.
/// A <c>ref struct</c>: use it in <c>foreach</c>; disposing it (the end of the loop) publishes the consumer position.</summary>
public unsafe ref struct RingBufferRecords
{
    readonly ulong* _consumer;
    readonly ulong* _producer;
    readonly byte* _data;
    readonly ulong _mask;
    readonly ulong _commitEvery;
    ulong _position, _committed, _produced;
    byte* _current;
    int _length;

    internal RingBufferRecords(RingBufferReader reader)
    {
        _consumer = reader.ConsumerPosition;
        _producer = reader.ProducerPosition;
        _data = reader.Data;
        _mask = reader.Mask;
        _commitEvery = reader.CommitEvery;
        _position = _committed = *_consumer;
        _produced = Volatile.Read(ref *_producer);
        _current = null;
        _length = 0;
    }

    public readonly RingBufferRecords GetEnumerator() => this;

    /// <summary>The current record; valid until <see cref="MoveNext"/>.</summary>
    public readonly ReadOnlySpan<byte> Current => new(_current, _length);

    internal readonly byte* CurrentPointer => _current;
    internal readonly int CurrentLength => _length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        while (true)
        {
            if (_position - _committed >= _commitEvery) Volatile.Write(ref *_consumer, _committed = _position);
            if (_position >= _produced)
            {
                if (_position != _committed) Volatile.Write(ref *_consumer, _committed = _position);
                _produced = Volatile.Read(ref *_producer);
                if (_position >= _produced) return false;
            }
            byte* header = _data + (_position & _mask);
            uint length = Volatile.Read(ref *(uint*)header);
            if ((length & RingBufferReader.BusyBit) != 0) return false;
            uint size = length & ~RingBufferReader.DiscardBit;
            _position += (size + RingBufferReader.HeaderSize + 7) & ~7u;
            if ((length & RingBufferReader.DiscardBit) != 0) continue;
            _current = header + RingBufferReader.HeaderSize;
            _length = (int)size;
            return true;
        }
    }

    /// <summary>Publishes the consumer position (the kernel may reuse the space of the records read).</summary>
    public void Dispose()
    {
        if (_position != _committed) Volatile.Write(ref *_consumer, _committed = _position);
    }
}

/// <summary><see cref="RingBufferRecords"/> as <c>ref readonly T</c> over the ring's memory (no copy).</summary>
public unsafe ref struct RingBufferRecords<T> where T : unmanaged
{
    RingBufferRecords _inner;

    internal RingBufferRecords(RingBufferRecords inner) => _inner = inner;

    public readonly RingBufferRecords<T> GetEnumerator() => this;

    public readonly ref readonly T Current => ref Unsafe.AsRef<T>(_inner.CurrentPointer);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        if (!_inner.MoveNext()) return false;
        if (_inner.CurrentLength < sizeof(T)) RecordSizeException.Throw(typeof(T), sizeof(T), _inner.CurrentLength);
        return true;
    }

    public void Dispose() => _inner.Dispose();
}

/// <summary>A ring or perf buffer record is shorter than the type it is read as.</summary>
public sealed class RecordSizeException(string message) : InvalidOperationException(message)
{
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void Throw(Type type, int expected, int actual)
        => throw new RecordSizeException($"a record of {actual} bytes is shorter than {type.Name} ({expected} bytes): the program and the C# record type disagree");
}
