using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

public struct UserCommand { public uint Op; public uint Argument; }

/// <summary>A user ring buffer a program drains: the callback reads each command through its dynptr, copied out and
/// in place, and counts them.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class MapUserRingBuffer
{
    static readonly UserRingBuffer Commands = new(sizeBytes: 4096);
    static readonly ArrayMap<ulong> Seen = new(maxEntries: 1);

    [Xdp]
    static XdpAction Count(XdpContext ctx)
    {
        ulong seen = 0;
        Commands.Drain(static (ref Dynptr sample, ref ulong n) =>
        {
            if (Dynptr.Read(out UserCommand command, in sample) != 0) return 1;
            ref UserCommand inPlace = ref Dynptr.Data<UserCommand>(in sample);
            if (Unsafe.IsNullRef(ref inPlace)) return 1;
            n += command.Op + inPlace.Argument;
            return 0;
        }, ref seen);
        ref ulong total = ref Seen.Lookup(0);
        if (!Unsafe.IsNullRef(ref total)) total += seen;
        return seen == 0 ? XdpAction.Pass : XdpAction.Drop;
    }
}
