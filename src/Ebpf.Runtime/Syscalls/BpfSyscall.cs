using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary>The bpf(2) system call: <c>syscall(__NR_bpf, cmd, &amp;attr, sizeof attr)</c>.</summary>
/// <remarks>Each command has its own attr struct (a prefix of <c>union bpf_attr</c>) with an explicit layout.
/// The kernel requires every byte it does not use to be zero; the structs are created with <c>default</c>
/// and only the fields the command needs are set. A struct shorter than the kernel's union is fine
/// (the kernel treats the missing tail as zero).</remarks>
internal static unsafe class BpfSyscall
{
    /// <summary>Runs <paramref name="command"/>; returns the non-negative result, or -1 with <paramref name="errno"/> set.</summary>
    public static int Invoke<TAttr>(BpfCommand command, ref TAttr attr, out int errno) where TAttr : unmanaged
    {
        Libc.EnsureSupportedPlatform();
        fixed (TAttr* p = &attr)
        {
            // EINTR/EAGAIN: BPF_PROG_LOAD can be interrupted by a signal while verifying; libbpf retries too.
            int attempts = 0;
            while (true)
            {
                long result = Libc.SyscallBpf(Libc.SysBpf, (int)command, p, (uint)sizeof(TAttr));
                if (result >= 0)
                {
                    errno = 0;
                    return (int)result;
                }
                // syscall(2) sets errno on failure; it is read right after the call returns, as a SetLastError stub would.
                errno = Marshal.GetLastSystemError();
                bool retry = errno == Errno.EINTR || (errno == Errno.EAGAIN && command == BpfCommand.ProgLoad);
                if (!retry || ++attempts >= 5) return -1;
            }
        }
    }

    /// <summary>A map element command (lookup, update, delete, next key, lookup-and-delete) on a map whose element
    /// operations cannot block (<see cref="ShortMapCommands.CannotBlock"/>), without the GC transition; returns 0 or the errno.</summary>
    /// <remarks>These commands never return EINTR (they do not wait), so there is no retry loop.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int InvokeShort(BpfCommand command, ref MapElemAttr attr)
    {
        Libc.EnsureSupportedPlatform();
        fixed (MapElemAttr* p = &attr)
            return Libc.SyscallBpfShort(Libc.SysBpf, (int)command, p, (uint)sizeof(MapElemAttr)) >= 0 ? 0 : Marshal.GetLastSystemError();
    }

    /// <summary>Runs <paramref name="command"/> and throws a <see cref="BpfException"/> naming <paramref name="step"/> on failure.</summary>
    public static int InvokeOrThrow<TAttr>(BpfCommand command, ref TAttr attr, string step, string? hint = null) where TAttr : unmanaged
    {
        int result = Invoke(command, ref attr, out int errno);
        if (result < 0) throw new BpfException(step, errno, hint);
        return result;
    }
}
