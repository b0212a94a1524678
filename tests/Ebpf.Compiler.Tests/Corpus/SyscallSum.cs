using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

/// <summary>A syscall program adding its arguments.</summary>
[BpfObject(License = "GPL")]
public static unsafe partial class SyscallSum
{
    public struct Args { public long A; public long B; }

    [Syscall]
    static int Sum(in Args args) => (int)(args.A + args.B);
}
