using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>union bpf_attr</c> for BPF_BTF_LOAD.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct BtfLoadAttr
{
    [FieldOffset(0)] public ulong Btf;
    [FieldOffset(8)] public ulong LogBuf;
    [FieldOffset(16)] public uint BtfSize;
    [FieldOffset(20)] public uint LogSize;
    [FieldOffset(24)] public uint LogLevel;
    /// <summary>Out (6.4+): the log size the kernel needed.</summary>
    [FieldOffset(28)] public uint LogTrueSize;
}
