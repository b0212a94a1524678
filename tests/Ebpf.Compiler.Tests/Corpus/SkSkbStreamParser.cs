using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An sk_skb stream parser taking whole skbs as messages.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SkSkbStreamParser
{
    [SkSkb(SkSkbHook.StreamParser)]
    static int Parse(SkBuffContext skb) => (int)skb.Len;
}
