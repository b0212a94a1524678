using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A socket filter keeping the first 64 bytes.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SocketFilterTruncate
{
    [SocketFilter]
    static int Truncate(SkBuffContext skb) => skb.Len > 64 ? 64 : (int)skb.Len;
}
