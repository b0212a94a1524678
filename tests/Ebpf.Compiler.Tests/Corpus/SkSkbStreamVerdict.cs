using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An sk_skb stream verdict.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SkSkbStreamVerdict
{
    [SkSkb(SkSkbHook.StreamVerdict)]
    static SkAction Verdict(SkBuffContext skb) => skb.Len == 0 ? SkAction.Drop : SkAction.Pass;
}
