namespace Ebpf;

/// <summary>Flags of a socket redirect (BPF_F_INGRESS).</summary>
[Flags]
public enum SkRedirectFlags : ulong
{
    /// <summary>Send the data out of the target socket.</summary>
    None = 0,
    /// <summary>BPF_F_INGRESS: queue the data on the target socket's receive side.</summary>
    Ingress = 1,
}

/// <summary>The shared behaviour of sockmap and sockhash: sockets under keys, which sk_msg and sk_skb programs
/// redirect data to and sockops programs add.</summary>
/// <remarks>The sockets are kernel objects. Managed: <see cref="Add"/> stores a socket id as user space stores a
/// socket fd; a redirect to a key holding a socket gives <see cref="SkAction.Pass"/> (the kernel's SK_PASS once
/// the redirect is set up), to an empty key <see cref="SkAction.Drop"/>.</remarks>
public abstract class SocketMap<TKey> : BpfMap where TKey : unmanaged
{
    readonly Dictionary<TKey, long> _sockets = new(Maps.Storage.ByteWiseComparer<TKey>.Instance);
    readonly Lock _gate = new();

    private protected SocketMap(MapType type, uint maxEntries, MapFlags flags, MapPinning pinning) : base(type, maxEntries, flags, pinning) { }

    private protected SkAction Redirect(in TKey key)
    {
        lock (_gate) return _sockets.ContainsKey(key) ? SkAction.Pass : SkAction.Drop;
    }

    private protected long Insert(in TKey key, long socket, MapUpdate flags)
    {
        if (flags is not (MapUpdate.Any or MapUpdate.NoExist or MapUpdate.Exist)) return -Errno.EINVAL;
        lock (_gate)
        {
            bool present = _sockets.ContainsKey(key);
            if (flags == MapUpdate.NoExist && present) return -Errno.EEXIST;
            if (flags == MapUpdate.Exist && !present) return -Errno.ENOENT;
            if (!present && _sockets.Count >= MaxEntries) return -Errno.E2BIG;
            _sockets[key] = socket;
            return 0;
        }
    }

    /// <summary>Stores a socket (any id) under <paramref name="key"/>, as user space stores a socket fd.</summary>
    [ManagedOnly]
    public void Add(in TKey key, long socket)
    {
        if (Insert(key, socket, MapUpdate.Any) is var rc and < 0)
            throw new InvalidOperationException($"The socket map refused the socket ({rc}).");
    }

    /// <summary>Whether <paramref name="key"/> holds a socket.</summary>
    [ManagedOnly] public bool Contains(in TKey key) { lock (_gate) return _sockets.ContainsKey(key); }

    /// <summary>The number of sockets held.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _sockets.Count; } }
}

/// <summary>Sockets by index (BPF_MAP_TYPE_SOCKMAP): user space or a sockops program adds established TCP
/// or UDP sockets; sk_skb and sk_msg programs attached to the map redirect data between them.</summary>
/// <remarks>Kernel 4.14. Key u32, value the socket (a u32 fd from user space, a u64 cookie when read back).</remarks>
[BpfMap(MapType.Sockmap, KeySize = 4, ValueSize = 4)]
public sealed class SockMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : SocketMap<uint>(MapType.Sockmap, maxEntries, flags, pinning)
{
    /// <summary>Redirects the message to the socket under <paramref name="key"/>; <see cref="SkAction.Pass"/> when
    /// the redirect is set up, <see cref="SkAction.Drop"/> otherwise. Return the result from the sk_msg program.</summary>
    /// <remarks><c>bpf_msg_redirect_map(msg, map, key, flags)</c>.</remarks>
    [MapHelper(60, MapPosition = 1)]
    public SkAction RedirectMsg(SkMsgContext msg, uint key, SkRedirectFlags flags = SkRedirectFlags.None) => Redirect(key);

    /// <summary>Redirects the skb to the socket under <paramref name="key"/>; returns as <see cref="RedirectMsg"/>.</summary>
    /// <remarks><c>bpf_sk_redirect_map(skb, map, key, flags)</c>, from sk_skb verdict programs.</remarks>
    [MapHelper(52, MapPosition = 1)]
    public SkAction RedirectSkb(SkBuffContext skb, uint key, SkRedirectFlags flags = SkRedirectFlags.None) => Redirect(key);

    /// <summary>Adds the socket of a sockops event under <paramref name="key"/>; 0 or a negative errno.</summary>
    /// <remarks><c>bpf_sock_map_update(skops, map, &amp;key, flags)</c>.</remarks>
    [MapHelper(53, MapPosition = 1)]
    public long Update(SockOpsContext skops, in uint key, MapUpdate flags = MapUpdate.Any)
        => key >= MaxEntries ? -Errno.E2BIG : Insert(key, skops.LocalPort, flags);   // an index past the array
}

/// <summary>Sockets by a key of the program's choosing (BPF_MAP_TYPE_SOCKHASH), such as a connection's 4-tuple.</summary>
/// <remarks>Kernel 4.18. Value the socket (u32 fd from user space).</remarks>
[BpfMap(MapType.Sockhash, ValueSize = 4)]
public sealed class SockHash<TKey>(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : SocketMap<TKey>(MapType.Sockhash, maxEntries, flags, pinning) where TKey : unmanaged
{
    /// <summary>Redirects the message to the socket under <paramref name="key"/>; <see cref="SkAction.Pass"/> when
    /// the redirect is set up, <see cref="SkAction.Drop"/> otherwise.</summary>
    /// <remarks><c>bpf_msg_redirect_hash(msg, map, &amp;key, flags)</c>.</remarks>
    [MapHelper(71, MapPosition = 1)]
    public SkAction RedirectMsg(SkMsgContext msg, in TKey key, SkRedirectFlags flags = SkRedirectFlags.None) => Redirect(key);

    /// <summary>Redirects the skb to the socket under <paramref name="key"/>; returns as <see cref="RedirectMsg"/>.</summary>
    /// <remarks><c>bpf_sk_redirect_hash(skb, map, &amp;key, flags)</c>.</remarks>
    [MapHelper(72, MapPosition = 1)]
    public SkAction RedirectSkb(SkBuffContext skb, in TKey key, SkRedirectFlags flags = SkRedirectFlags.None) => Redirect(key);

    /// <summary>Adds the socket of a sockops event under <paramref name="key"/>; 0 or a negative errno.</summary>
    /// <remarks><c>bpf_sock_hash_update(skops, map, &amp;key, flags)</c>.</remarks>
    [MapHelper(70, MapPosition = 1)]
    public long Update(SockOpsContext skops, in TKey key, MapUpdate flags = MapUpdate.Any) => Insert(key, skops.LocalPort, flags);
}
