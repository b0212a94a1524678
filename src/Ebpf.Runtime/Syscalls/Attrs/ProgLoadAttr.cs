using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>union bpf_attr</c> for BPF_PROG_LOAD (offsets from include/uapi/linux/bpf.h, x86-64, kernel 6.4+ for
/// <see cref="LogTrueSize"/>).</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal unsafe struct ProgLoadAttr
{
    [FieldOffset(0)] public uint ProgType;
    /// <summary>Number of 8-byte instruction slots.</summary>
    [FieldOffset(4)] public uint InsnCnt;
    [FieldOffset(8)] public ulong Insns;
    [FieldOffset(16)] public ulong License;
    [FieldOffset(24)] public uint LogLevel;
    [FieldOffset(28)] public uint LogSize;
    [FieldOffset(32)] public ulong LogBuf;
    [FieldOffset(40)] public uint KernVersion;
    [FieldOffset(44)] public uint ProgFlags;
    [FieldOffset(48)] public fixed byte ProgName[16];
    [FieldOffset(64)] public uint ProgIfindex;
    [FieldOffset(68)] public uint ExpectedAttachType;
    [FieldOffset(72)] public uint ProgBtfFd;
    [FieldOffset(76)] public uint FuncInfoRecSize;
    [FieldOffset(80)] public ulong FuncInfo;
    [FieldOffset(88)] public uint FuncInfoCnt;
    [FieldOffset(92)] public uint LineInfoRecSize;
    [FieldOffset(96)] public ulong LineInfo;
    [FieldOffset(104)] public uint LineInfoCnt;
    [FieldOffset(108)] public uint AttachBtfId;
    [FieldOffset(112)] public uint AttachProgFd;
    [FieldOffset(116)] public uint CoreReloCnt;
    [FieldOffset(120)] public ulong FdArray;
    [FieldOffset(128)] public ulong CoreRelos;
    [FieldOffset(136)] public uint CoreReloRecSize;
    /// <summary>Out (6.4+): the log size the verifier needed, so a truncated log can be fetched whole.</summary>
    [FieldOffset(140)] public uint LogTrueSize;
}

/// <summary><c>struct bpf_func_info</c>: insn_off in instruction slots of the loaded program, FUNC type id.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelFuncInfo
{
    public uint InsnOff;
    public uint TypeId;
}

/// <summary><c>struct bpf_line_info</c>: string offsets into the loaded BTF, <c>line_col = line &lt;&lt; 10 | col</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelLineInfo
{
    public uint InsnOff;
    public uint FileNameOff;
    public uint LineOff;
    public uint LineCol;
}

/// <summary><c>struct bpf_core_relo</c> for kernel-side CO-RE: insn_off in BYTES, local BTF type id, access string offset, kind.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelCoreRelo
{
    public uint InsnOff;
    public uint TypeId;
    public uint AccessStrOff;
    public uint Kind;
}
