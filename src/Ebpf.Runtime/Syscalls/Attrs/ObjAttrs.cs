using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>union bpf_attr</c> for BPF_OBJ_PIN and BPF_OBJ_GET.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct ObjPinAttr
{
    [FieldOffset(0)] public ulong PathName;
    [FieldOffset(8)] public uint BpfFd;
    /// <summary>BPF_F_RDONLY (0x8) / BPF_F_WRONLY (0x10) for BPF_OBJ_GET.</summary>
    [FieldOffset(12)] public uint FileFlags;
}

/// <summary><c>union bpf_attr</c> for BPF_OBJ_GET_INFO_BY_FD.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ObjInfoAttr
{
    [FieldOffset(0)] public uint BpfFd;
    [FieldOffset(4)] public uint InfoLen;
    [FieldOffset(8)] public ulong Info;
}

/// <summary>The leading fields of <c>struct bpf_map_info</c> (88 bytes in 6.1 headers; the kernel fills what fits).</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct KernelMapInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint KeySize;
    [FieldOffset(12)] public uint ValueSize;
    [FieldOffset(16)] public uint MaxEntries;
    [FieldOffset(20)] public uint MapFlags;
    [FieldOffset(24)] public fixed byte Name[16];
    [FieldOffset(40)] public uint Ifindex;
    [FieldOffset(44)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(48)] public ulong NetnsDev;
    [FieldOffset(56)] public ulong NetnsIno;
    [FieldOffset(64)] public uint BtfId;
    [FieldOffset(68)] public uint BtfKeyTypeId;
    [FieldOffset(72)] public uint BtfValueTypeId;
}

/// <summary>The leading fields of <c>struct bpf_prog_info</c> (232 bytes in 6.1 headers).</summary>
[StructLayout(LayoutKind.Explicit, Size = 232)]
internal unsafe struct KernelProgInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public fixed byte Tag[8];
    [FieldOffset(16)] public uint JitedProgLen;
    [FieldOffset(20)] public uint XlatedProgLen;
    [FieldOffset(64)] public fixed byte Name[16];
    [FieldOffset(144)] public uint NrFuncInfo;
    [FieldOffset(148)] public uint NrLineInfo;
}

/// <summary>The leading fields of <c>struct bpf_link_info</c>: type, id, prog_id, then a per-kind union at 16.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal struct KernelLinkInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint ProgId;
    /// <summary>xdp.ifindex / tcx.ifindex.</summary>
    [FieldOffset(16)] public uint Ifindex;
    /// <summary>tcx.attach_type.</summary>
    [FieldOffset(20)] public uint TcxAttachType;
}

/// <summary><c>union bpf_attr</c> for BPF_MAP_LOOKUP_BATCH, _LOOKUP_AND_DELETE_BATCH, _UPDATE_BATCH, _DELETE_BATCH
/// (<c>attr.batch</c>, kernel 5.6+).</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal struct MapBatchAttr
{
    /// <summary>Start position (null: from the beginning); an opaque token the kernel wrote into out_batch last time.</summary>
    [FieldOffset(0)] public ulong InBatch;
    [FieldOffset(8)] public ulong OutBatch;
    [FieldOffset(16)] public ulong Keys;
    [FieldOffset(24)] public ulong Values;
    /// <summary>In: elements the buffers hold; out: elements processed.</summary>
    [FieldOffset(32)] public uint Count;
    [FieldOffset(36)] public uint MapFd;
    [FieldOffset(40)] public ulong ElemFlags;
    [FieldOffset(48)] public ulong Flags;
}

/// <summary><c>union bpf_attr</c> for BPF_MAP_GET_FD_BY_ID, BPF_PROG_GET_FD_BY_ID, BPF_LINK_GET_FD_BY_ID.</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct GetFdByIdAttr
{
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public uint NextId;
    [FieldOffset(8)] public uint OpenFlags;
}

/// <summary><c>struct bpf_btf_info</c>: the BTF blob (not asked for here), its id, name and whether the kernel owns it.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct KernelBtfInfo
{
    [FieldOffset(0)] public ulong Btf;
    [FieldOffset(8)] public uint BtfSize;
    [FieldOffset(12)] public uint Id;
    [FieldOffset(16)] public ulong Name;
    [FieldOffset(24)] public uint NameLen;
    [FieldOffset(28)] public uint KernelBtf;
}
