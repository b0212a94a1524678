namespace Ebpf;

// The contexts of the socket and cgroup program types. Each [ContextField] is a load from (or, where the
// kernel allows, a store to) the UAPI struct named in the summary, at the offset of that struct; the tests
// check every offset against the kernel's BTF. Managed code builds a context with object initializers.

/// <summary>The context of cgroup sock programs (struct bpf_sock): the socket being created, released or bound.</summary>
/// <remarks>sock_create programs may write <see cref="BoundDevIf"/>, <see cref="Mark"/> and <see cref="Priority"/>.
/// Managed, <see cref="Socket"/> identifies the socket to local storage.</remarks>
public unsafe struct SockContext
{
    uint _boundDevIf, _family, _type, _protocol, _mark, _priority, _srcIp4, _srcPort, _dstPort, _dstIp4, _state;

    /// <summary>The interface the socket is bound to (<c>bound_dev_if</c>).</summary>
    [ContextField(0, 4)] public uint BoundDevIf { readonly get => _boundDevIf; set => _boundDevIf = value; }
    /// <summary>AF_INET, AF_INET6... (<c>family</c>).</summary>
    [ContextField(4, 4)] public uint Family { readonly get => _family; [ManagedOnly] init => _family = value; }
    /// <summary>SOCK_STREAM, SOCK_DGRAM... (<c>type</c>).</summary>
    [ContextField(8, 4)] public uint Type { readonly get => _type; [ManagedOnly] init => _type = value; }
    /// <summary>IPPROTO_TCP, IPPROTO_UDP... (<c>protocol</c>).</summary>
    [ContextField(12, 4)] public uint Protocol { readonly get => _protocol; [ManagedOnly] init => _protocol = value; }
    /// <summary>The socket mark (<c>mark</c>).</summary>
    [ContextField(16, 4)] public uint Mark { readonly get => _mark; set => _mark = value; }
    /// <summary>The socket priority (<c>priority</c>).</summary>
    [ContextField(20, 4)] public uint Priority { readonly get => _priority; set => _priority = value; }
    /// <summary>The bound IPv4 address, network byte order (<c>src_ip4</c>; post_bind4).</summary>
    [ContextField(24, 4)] public uint SrcIp4 { readonly get => _srcIp4; [ManagedOnly] init => _srcIp4 = value; }
    /// <summary>The bound port, host byte order (<c>src_port</c>; post_bind).</summary>
    [ContextField(44, 4)] public uint SrcPort { readonly get => _srcPort; [ManagedOnly] init => _srcPort = value; }
    /// <summary>The remote port, network byte order (<c>dst_port</c>).</summary>
    [ContextField(48, 2)] public ushort DstPort { readonly get => (ushort)_dstPort; [ManagedOnly] init => _dstPort = value; }
    /// <summary>The remote IPv4 address, network byte order (<c>dst_ip4</c>).</summary>
    [ContextField(52, 4)] public uint DstIp4 { readonly get => _dstIp4; [ManagedOnly] init => _dstIp4 = value; }
    /// <summary>The TCP state (<c>state</c>).</summary>
    [ContextField(72, 4)] public uint State { readonly get => _state; [ManagedOnly] init => _state = value; }

    /// <summary>Which socket this is, for managed local storage (any distinct non-zero value per socket).</summary>
    [ManagedOnly] public nint Socket { readonly get; init; }
}

/// <summary>The context of cgroup sock_addr programs (struct bpf_sock_addr): the address of a bind, connect,
/// sendmsg, recvmsg, getpeername or getsockname call, which the program may rewrite.</summary>
public struct SockAddrContext
{
    uint _userFamily, _userIp4, _userPort, _family, _type, _protocol, _msgSrcIp4;

    /// <summary>The address family the caller passed (<c>user_family</c>).</summary>
    [ContextField(0, 4)] public uint UserFamily { readonly get => _userFamily; [ManagedOnly] init => _userFamily = value; }
    /// <summary>The IPv4 address, network byte order (<c>user_ip4</c>); writable by the 4 hooks.</summary>
    [ContextField(4, 4)] public uint UserIp4 { readonly get => _userIp4; set => _userIp4 = value; }
    /// <summary>The port, network byte order in the low 16 bits (<c>user_port</c>); writable.</summary>
    [ContextField(24, 4)] public uint UserPort { readonly get => _userPort; set => _userPort = value; }
    /// <summary>The socket's family (<c>family</c>).</summary>
    [ContextField(28, 4)] public uint Family { readonly get => _family; [ManagedOnly] init => _family = value; }
    /// <summary>The socket's type (<c>type</c>).</summary>
    [ContextField(32, 4)] public uint Type { readonly get => _type; [ManagedOnly] init => _type = value; }
    /// <summary>The socket's protocol (<c>protocol</c>).</summary>
    [ContextField(36, 4)] public uint Protocol { readonly get => _protocol; [ManagedOnly] init => _protocol = value; }
    /// <summary>The IPv4 source of a sendmsg (<c>msg_src_ip4</c>); writable by sendmsg4.</summary>
    [ContextField(40, 4)] public uint MsgSrcIp4 { readonly get => _msgSrcIp4; set => _msgSrcIp4 = value; }
}

/// <summary>The context of sockops programs (struct bpf_sock_ops): a TCP event (<see cref="Op"/>) and the connection.</summary>
public struct SockOpsContext
{
    uint _op, _reply, _family, _remoteIp4, _localIp4, _remotePort, _localPort, _isFullsock, _state;

    /// <summary>The event, BPF_SOCK_OPS_* (<c>op</c>).</summary>
    [ContextField(0, 4)] public uint Op { readonly get => _op; [ManagedOnly] init => _op = value; }
    /// <summary>The program's answer for the ops that ask one (<c>reply</c>, the first word of the args union).</summary>
    [ContextField(4, 4)] public uint Reply { readonly get => _reply; set => _reply = value; }
    /// <summary>The address family (<c>family</c>).</summary>
    [ContextField(20, 4)] public uint Family { readonly get => _family; [ManagedOnly] init => _family = value; }
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [ContextField(24, 4)] public uint RemoteIp4 { readonly get => _remoteIp4; [ManagedOnly] init => _remoteIp4 = value; }
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [ContextField(28, 4)] public uint LocalIp4 { readonly get => _localIp4; [ManagedOnly] init => _localIp4 = value; }
    /// <summary>The remote port, network byte order (<c>remote_port</c>).</summary>
    [ContextField(64, 4)] public uint RemotePort { readonly get => _remotePort; [ManagedOnly] init => _remotePort = value; }
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [ContextField(68, 4)] public uint LocalPort { readonly get => _localPort; [ManagedOnly] init => _localPort = value; }
    /// <summary>Whether the socket is a full socket (<c>is_fullsock</c>).</summary>
    [ContextField(72, 4)] public uint IsFullsock { readonly get => _isFullsock; [ManagedOnly] init => _isFullsock = value; }
    /// <summary>The TCP state (<c>state</c>).</summary>
    [ContextField(88, 4)] public uint State { readonly get => _state; [ManagedOnly] init => _state = value; }
}

/// <summary>The context of sk_msg programs (struct sk_msg_md): a message sent on a socket of a sockmap.</summary>
public struct SkMsgContext
{
    uint _family, _remoteIp4, _localIp4, _remotePort, _localPort, _size;

    /// <summary>The address family (<c>family</c>).</summary>
    [ContextField(16, 4)] public uint Family { readonly get => _family; [ManagedOnly] init => _family = value; }
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [ContextField(20, 4)] public uint RemoteIp4 { readonly get => _remoteIp4; [ManagedOnly] init => _remoteIp4 = value; }
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [ContextField(24, 4)] public uint LocalIp4 { readonly get => _localIp4; [ManagedOnly] init => _localIp4 = value; }
    /// <summary>The remote port, network byte order (<c>remote_port</c>).</summary>
    [ContextField(60, 4)] public uint RemotePort { readonly get => _remotePort; [ManagedOnly] init => _remotePort = value; }
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [ContextField(64, 4)] public uint LocalPort { readonly get => _localPort; [ManagedOnly] init => _localPort = value; }
    /// <summary>The message's total size (<c>size</c>).</summary>
    [ContextField(68, 4)] public uint Size { readonly get => _size; [ManagedOnly] init => _size = value; }
}

/// <summary>The context of sk_lookup programs (struct bpf_sk_lookup): the packet's addresses a socket is looked up for.</summary>
public struct SkLookupContext
{
    uint _family, _protocol, _remoteIp4, _remotePort, _localIp4, _localPort, _ingressIfindex;

    /// <summary>The address family (<c>family</c>).</summary>
    [ContextField(8, 4)] public uint Family { readonly get => _family; [ManagedOnly] init => _family = value; }
    /// <summary>IPPROTO_TCP or IPPROTO_UDP (<c>protocol</c>).</summary>
    [ContextField(12, 4)] public uint Protocol { readonly get => _protocol; [ManagedOnly] init => _protocol = value; }
    /// <summary>The remote IPv4 address, network byte order (<c>remote_ip4</c>).</summary>
    [ContextField(16, 4)] public uint RemoteIp4 { readonly get => _remoteIp4; [ManagedOnly] init => _remoteIp4 = value; }
    /// <summary>The remote port, network byte order (<c>remote_port</c>, 16 bits).</summary>
    [ContextField(36, 2)] public ushort RemotePort { readonly get => (ushort)_remotePort; [ManagedOnly] init => _remotePort = value; }
    /// <summary>The local IPv4 address, network byte order (<c>local_ip4</c>).</summary>
    [ContextField(40, 4)] public uint LocalIp4 { readonly get => _localIp4; [ManagedOnly] init => _localIp4 = value; }
    /// <summary>The local port, host byte order (<c>local_port</c>).</summary>
    [ContextField(60, 4)] public uint LocalPort { readonly get => _localPort; [ManagedOnly] init => _localPort = value; }
    /// <summary>The interface the packet arrived on (<c>ingress_ifindex</c>).</summary>
    [ContextField(64, 4)] public uint IngressIfindex { readonly get => _ingressIfindex; [ManagedOnly] init => _ingressIfindex = value; }
}

/// <summary>The context of cgroup sysctl programs (struct bpf_sysctl): a read or write of a /proc/sys file.</summary>
public struct SysctlContext
{
    uint _write, _filePos;

    /// <summary>1 for a write, 0 for a read (<c>write</c>).</summary>
    [ContextField(0, 4)] public uint Write { readonly get => _write; [ManagedOnly] init => _write = value; }
    /// <summary>The file position of the access (<c>file_pos</c>); writable.</summary>
    [ContextField(4, 4)] public uint FilePos { readonly get => _filePos; set => _filePos = value; }
}

/// <summary>The context of cgroup sockopt programs (struct bpf_sockopt): a getsockopt or setsockopt call.</summary>
public struct SockoptContext
{
    int _level, _optname, _optlen, _retval;

    /// <summary>SOL_SOCKET, SOL_TCP... (<c>level</c>).</summary>
    [ContextField(24, 4)] public int Level { readonly get => _level; [ManagedOnly] init => _level = value; }
    /// <summary>The option (<c>optname</c>).</summary>
    [ContextField(28, 4)] public int Optname { readonly get => _optname; [ManagedOnly] init => _optname = value; }
    /// <summary>The option's length (<c>optlen</c>); writable.</summary>
    [ContextField(32, 4)] public int Optlen { readonly get => _optlen; set => _optlen = value; }
    /// <summary>The call's result so far (<c>retval</c>; getsockopt may write it).</summary>
    [ContextField(36, 4)] public int Retval { readonly get => _retval; set => _retval = value; }
}

/// <summary>The context of cgroup device programs (struct bpf_cgroup_dev_ctx): a device access.</summary>
public struct CgroupDeviceContext
{
    uint _accessType, _major, _minor;

    /// <summary>BPF_DEVCG_DEV_* in the low 16 bits, BPF_DEVCG_ACC_* (mknod, read, write) in the high (<c>access_type</c>).</summary>
    [ContextField(0, 4)] public uint AccessType { readonly get => _accessType; [ManagedOnly] init => _accessType = value; }
    /// <summary>The device's major number (<c>major</c>).</summary>
    [ContextField(4, 4)] public uint Major { readonly get => _major; [ManagedOnly] init => _major = value; }
    /// <summary>The device's minor number (<c>minor</c>).</summary>
    [ContextField(8, 4)] public uint Minor { readonly get => _minor; [ManagedOnly] init => _minor = value; }
}

/// <summary>The context of netfilter programs (struct bpf_nf_ctx): the hook state and the packet, both kernel pointers.</summary>
public struct NetfilterContext
{
    ulong _state, _skb;

    /// <summary>The <c>nf_hook_state*</c> (<c>state</c>), as an address.</summary>
    [ContextField(0, 8)] public ulong State { readonly get => _state; [ManagedOnly] init => _state = value; }
    /// <summary>The <c>sk_buff*</c> (<c>skb</c>), as an address.</summary>
    [ContextField(8, 8)] public ulong Skb { readonly get => _skb; [ManagedOnly] init => _skb = value; }
}
