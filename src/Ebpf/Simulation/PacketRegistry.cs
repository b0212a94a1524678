using System.Collections.Concurrent;

namespace Ebpf.Simulation;

/// <summary>Live simulated packets by id, so a packet context can be an unmanaged struct (a handle, as the
/// kernel's context is a pointer) rather than hold an object reference.</summary>
internal static class PacketRegistry<TPacket> where TPacket : class
{
    static readonly ConcurrentDictionary<long, TPacket> Live = new();
    static long _lastId;

    public static long Register(TPacket packet)
    {
        long id = Interlocked.Increment(ref _lastId);
        Live[id] = packet;
        return id;
    }

    public static void Unregister(long id) => Live.TryRemove(id, out _);

    /// <summary>The packet with <paramref name="id"/>; a clear error for a default context or a disposed packet.</summary>
    public static TPacket Get(long id, string contextName, string howToCreate)
    {
        if (id == 0) throw new InvalidOperationException($"This {contextName} has no packet: create contexts with {howToCreate}.");
        return Live.TryGetValue(id, out var packet) ? packet
            : throw new ObjectDisposedException(typeof(TPacket).Name, $"The packet of this {contextName} was disposed; a context must not outlive its packet.");
    }
}
