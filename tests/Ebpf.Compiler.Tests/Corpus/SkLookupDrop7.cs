using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>An sk_lookup program refusing port 7.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SkLookupDrop7
{
    [SkLookup]
    static SkAction Lookup(SkLookupContext ctx) => ctx.LocalPort == 7 ? SkAction.Drop : SkAction.Pass;
}
