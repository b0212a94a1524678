using System.Runtime.InteropServices;

namespace Ebpf.Cli.Inspection;

/// <summary>What the kernel says about a loaded program beyond the runtime's <c>ProgramInfo</c>: the number of
/// instructions the verifier processed (<c>bpf_prog_info.verified_insns</c>, Linux 5.16) and the translated length.</summary>
static unsafe partial class ProgramStats
{
    const long SysBpf = 321;            // x86-64
    const int BpfObjGetInfoByFd = 15;
    const int ProgInfoSize = 232;
    const int XlatedProgLenOffset = 20;
    const int VerifiedInsnsOffset = 216;

    /// <summary>Instructions the verifier processed and translated instructions, or null when the kernel does not say.</summary>
    public static (uint? Verified, uint Xlated)? Get(int programFd)
    {
        byte* info = stackalloc byte[ProgInfoSize];
        new Span<byte>(info, ProgInfoSize).Clear();
        var attr = stackalloc ulong[2];
        ((uint*)attr)[0] = (uint)programFd;
        ((uint*)attr)[1] = ProgInfoSize;
        attr[1] = (ulong)info;
        if (syscall(SysBpf, BpfObjGetInfoByFd, attr, 16) < 0) return null;
        uint infoLen = ((uint*)attr)[1];
        uint xlated = *(uint*)(info + XlatedProgLenOffset) / 8;
        uint? verified = infoLen >= VerifiedInsnsOffset + 4 ? *(uint*)(info + VerifiedInsnsOffset) : null;
        return (verified, xlated);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int command, void* attr, uint size);
}
