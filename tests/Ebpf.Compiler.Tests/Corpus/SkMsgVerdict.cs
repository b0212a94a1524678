using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An sk_msg verdict refusing large messages.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SkMsgVerdict
{
    [SkMsg]
    static SkAction Verdict(SkMsgContext msg) => msg.Size > 65536 ? SkAction.Drop : SkAction.Pass;
}
