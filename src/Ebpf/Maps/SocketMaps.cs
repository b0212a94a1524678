namespace Ebpf;

/// <summary>Sockets by index (BPF_MAP_TYPE_SOCKMAP): user space (or a sockops program) adds established TCP
/// or UDP sockets; sk_skb and sk_msg programs attached to the map redirect data between them.</summary>
/// <remarks>Kernel 4.14. Key u32, value the socket (a u32 fd from user space, a u64 cookie when read back).
/// The sockets are kernel objects: there is no managed model of their data path.</remarks>
[BpfMap(MapType.Sockmap, KeySize = 4, ValueSize = 4)]
public sealed class SockMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.Sockmap, maxEntries, flags, pinning);

/// <summary>Sockets by a key of the program's choosing (BPF_MAP_TYPE_SOCKHASH), such as a connection's 4-tuple.</summary>
/// <remarks>Kernel 4.18. Value the socket (u32 fd from user space).</remarks>
[BpfMap(MapType.Sockhash, ValueSize = 4)]
public sealed class SockHash<TKey>(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.Sockhash, maxEntries, flags, pinning) where TKey : unmanaged;

/// <summary>A ring buffer user space writes and programs drain (BPF_MAP_TYPE_USER_RINGBUF).</summary>
/// <remarks>Kernel 6.1. The size is a power of two and a multiple of the page size. Programs consume samples
/// with <c>bpf_user_ringbuf_drain</c>, whose callback receives each sample as a <c>bpf_dynptr</c>; the
/// compiler has no dynptr type yet, so this map has no program-side method: an object can define it and
/// user space can create and fill it.</remarks>
[BpfMap(MapType.UserRingbuf, KeySize = 0, ValueSize = 0)]
public sealed class UserRingBuffer(uint sizeBytes, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.UserRingbuf, sizeBytes, flags, pinning);
