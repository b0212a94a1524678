using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A sockmap with a stream verdict program.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapSockMap
{
    static readonly SockMap Peers = new(maxEntries: 16);

    [SkSkb(SkSkbHook.StreamVerdict)]
    static SkAction Verdict(SkBuffContext skb) => SkAction.Pass;
}
