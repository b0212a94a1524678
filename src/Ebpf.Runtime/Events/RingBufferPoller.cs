using Ebpf.Runtime.Events;

namespace Ebpf.Runtime;

/// <summary>Waits on many ring buffers with one epoll instance (like libbpf's <c>ring_buffer__add</c>/<c>ring_buffer__poll</c>):
/// each ring has its reader and handler; <see cref="Poll"/> consumes the rings that have data.</summary>
/// <remarks>Owns the readers it creates, not the maps.</remarks>
public sealed class RingBufferPoller : IDisposable
{
    readonly List<(RingBufferReader Reader, RingBufferHandler Handler)> _rings = [];
    readonly EpollHandle _epoll = new(EventNative.EpollCreate());
    readonly EventNative.EpollEvent[] _events = new EventNative.EpollEvent[64];

    /// <summary>Adds ring buffer <paramref name="map"/> with the handler of its records.</summary>
    public RingBufferReader Add(Map map, RingBufferHandler handler)
    {
        var reader = new RingBufferReader(map);
        try
        {
            using var fd = map.Handle.Lease();
            using var epoll = _epoll.Lease();
            EventNative.EpollAdd(epoll.Fd, fd.Fd, (ulong)_rings.Count, $"watch ring buffer '{map.Name}'");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        _rings.Add((reader, handler));
        return reader;
    }

    /// <summary>The rings added.</summary>
    public int Count => _rings.Count;

    /// <summary>Waits up to <paramref name="timeout"/> for data on any ring, then consumes the rings that have some;
    /// returns the number of records handled.</summary>
    public int Poll(TimeSpan timeout)
    {
        int ready;
        using (var epoll = _epoll.Lease())
            ready = EventNative.EpollWait(epoll.Fd, _events, EventNative.Milliseconds(timeout), "wait for ring buffers");
        int handled = 0;
        for (int i = 0; i < ready; i++)
        {
            var (reader, handler) = _rings[(int)_events[i].Data];
            handled += reader.Drain(handler);
        }
        return handled;
    }

    /// <summary>Consumes every ring without waiting (records of producers that passed BPF_RB_NO_WAKEUP included).</summary>
    public int ConsumeAll()
    {
        int handled = 0;
        foreach (var (reader, handler) in _rings) handled += reader.Drain(handler);
        return handled;
    }

    public void Dispose()
    {
        foreach (var (reader, _) in _rings) reader.Dispose();
        _rings.Clear();
        _epoll.Dispose();
    }
}

/// <summary>An epoll instance's fd.</summary>
internal sealed class EpollHandle(int fd) : FileDescriptorHandle(fd);
