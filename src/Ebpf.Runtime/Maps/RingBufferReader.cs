using System.Runtime.InteropServices;
using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Receives one ring buffer record; the span is valid only during the call (the kernel reuses the space after).</summary>
public delegate void RingBufferHandler(ReadOnlySpan<byte> record);

/// <summary>Reads records of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF, kernel 5.8+) in place, from memory shared with the
/// kernel: the consumer page (read-write, <c>consumer_pos</c>) and, read-only, the producer page (<c>producer_pos</c>)
/// followed by the data area mapped twice so a record that wraps around is contiguous.</summary>
/// <remarks>Records are <c>u32 len</c> (bit 31 busy, bit 30 discarded) + <c>u32</c> page offset + payload, 8-byte
/// aligned. The reader stops at the first record still being written; discarded records are skipped. One reader per
/// ring: the consumer position is shared state. The reader does not own the map.</remarks>
public sealed unsafe partial class RingBufferReader : IDisposable
{
    const uint BusyBit = 0x80000000, DiscardBit = 0x40000000;
    const int HeaderSize = 8;

    readonly Map _map;
    readonly nuint _pageSize;
    readonly ulong _dataSize;
    byte* _consumerPage;
    byte* _producerPage;

    /// <summary>Maps <paramref name="map"/>'s pages; <paramref name="map"/> must be a ring buffer.</summary>
    public RingBufferReader(Map map)
    {
        if (map.Type != MapType.RingBuf)
            throw new ArgumentException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not ringbuf", nameof(map));
        _map = map;
        _pageSize = (nuint)Environment.SystemPageSize;
        _dataSize = map.MaxEntries;
        using var fd = map.Handle.Lease();
        _consumerPage = MapPages(fd.Fd, _pageSize, ProtRead | ProtWrite, 0, "the consumer page");
        try
        {
            _producerPage = MapPages(fd.Fd, _pageSize + 2 * (nuint)_dataSize, ProtRead, (long)_pageSize, "the producer page and data");
        }
        catch
        {
            MunMap(_consumerPage, _pageSize);
            throw;
        }
    }

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
        EnsureOpen();
        ulong* consumer = (ulong*)_consumerPage;
        ulong* producer = (ulong*)_producerPage;
        byte* data = _producerPage + _pageSize;
        ulong mask = _dataSize - 1;
        ulong position = Volatile.Read(ref *consumer);
        int handled = 0;
        while (handled < maxRecords)
        {
            ulong produced = Volatile.Read(ref *producer);              // acquire: records up to here are visible
            if (position >= produced) break;
            byte* header = data + (position & mask);
            uint length = Volatile.Read(ref *(uint*)header);
            if ((length & BusyBit) != 0) break;                           // reserved, not yet submitted
            uint size = length & ~(BusyBit | DiscardBit);
            ulong next = position + ((size + HeaderSize + 7) & ~7u);
            try
            {
                if ((length & DiscardBit) == 0)
                {
                    handled++;
                    handler(new ReadOnlySpan<byte>(header + HeaderSize, (int)size));
                }
            }
            finally
            {
                position = next;
                Volatile.Write(ref *consumer, position);                 // release: the space may be reused
            }
        }
        return handled;
    }

    /// <summary>Consumes the available records as copies.</summary>
    public List<byte[]> ReadAvailable()
    {
        var records = new List<byte[]>();
        Drain(record => records.Add(record.ToArray()));
        return records;
    }

    /// <summary>Consumes the available records as values of <typeparamref name="T"/> (each record must be at least that large).</summary>
    public int Drain<T>(Action<T> handler) where T : unmanaged
        => Drain(record =>
        {
            if (record.Length < sizeof(T))
                throw new InvalidDataException($"ring buffer '{_map.Name}' record of {record.Length} bytes is smaller than {typeof(T).Name} ({sizeof(T)} bytes)");
            handler(MemoryMarshal.Read<T>(record));
        });

    /// <summary>Waits until records are available (poll(2) on the map fd, woken by producers that do not pass
    /// BPF_RB_NO_WAKEUP) or <paramref name="timeout"/> passes; true when data is available.</summary>
    public bool WaitForData(TimeSpan timeout)
    {
        EnsureOpen();
        if (AvailableBytes > 0) return true;
        using var fd = _map.Handle.Lease();
        var pollFd = new PollFd { Fd = fd.Fd, Events = PollIn };
        int milliseconds = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        while (true)
        {
            int rc = Poll(&pollFd, 1, milliseconds);
            if (rc >= 0) return AvailableBytes > 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR) throw new BpfException($"wait for ring buffer '{_map.Name}'", errno);
        }
    }

    /// <summary><see cref="WaitForData"/>, then <see cref="Drain(RingBufferHandler, int)"/>.</summary>
    public int Poll(RingBufferHandler handler, TimeSpan timeout) => WaitForData(timeout) ? Drain(handler) : 0;

    void EnsureOpen() => ObjectDisposedException.ThrowIf(_consumerPage == null, this);

    public void Dispose()
    {
        if (_consumerPage == null) return;
        MunMap(_producerPage, _pageSize + 2 * (nuint)_dataSize);
        MunMap(_consumerPage, _pageSize);
        _consumerPage = null;
        _producerPage = null;
    }

    // ---- mmap / poll ----------------------------------------------------------------------------------

    const int ProtRead = 1, ProtWrite = 2, MapShared = 1;
    const short PollIn = 1;

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    byte* MapPages(int fd, nuint length, int protection, long offset, string what)
    {
        void* address = MMap(null, length, protection, MapShared, fd, offset);
        if (address == (void*)-1)
            throw new BpfException($"map {what} of ring buffer '{_map.Name}'", Marshal.GetLastPInvokeError());
        return (byte*)address;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int MunMap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
