using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A sockhash keyed by 4-tuple with an sk_msg program.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapSockHash
{
    public struct Tuple4 { public uint LocalIp; public uint RemoteIp; public uint LocalPort; public uint RemotePort; }

    static readonly SockHash<Tuple4> Peers = new(maxEntries: 16);

    [SkMsg]
    static SkAction Verdict(SkMsgContext msg) => SkAction.Pass;
}
