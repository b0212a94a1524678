using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Syscalls;

/// <summary><c>union bpf_attr</c> for BPF_MAP_CREATE (offsets from include/uapi/linux/bpf.h, x86-64).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct MapCreateAttr
{
    [FieldOffset(0)] public uint MapType;
    [FieldOffset(4)] public uint KeySize;
    [FieldOffset(8)] public uint ValueSize;
    [FieldOffset(12)] public uint MaxEntries;
    [FieldOffset(16)] public uint MapFlags;
    [FieldOffset(20)] public uint InnerMapFd;
    [FieldOffset(24)] public uint NumaNode;
    /// <summary>char map_name[BPF_OBJ_NAME_LEN = 16], NUL-terminated.</summary>
    [FieldOffset(28)] public fixed byte MapName[16];
    [FieldOffset(44)] public uint MapIfindex;
    [FieldOffset(48)] public uint BtfFd;
    [FieldOffset(52)] public uint BtfKeyTypeId;
    [FieldOffset(56)] public uint BtfValueTypeId;
    [FieldOffset(60)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(64)] public ulong MapExtra;
}

/// <summary><c>union bpf_attr</c> for the element commands (BPF_MAP_LOOKUP_ELEM, _UPDATE_ELEM, _DELETE_ELEM,
/// _GET_NEXT_KEY, _LOOKUP_AND_DELETE_ELEM); <see cref="Value"/> is <c>next_key</c> for GET_NEXT_KEY.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct MapElemAttr
{
    [FieldOffset(0)] public uint MapFd;
    [FieldOffset(8)] public ulong Key;
    [FieldOffset(16)] public ulong Value;
    [FieldOffset(24)] public ulong Flags;
}

/// <summary><c>union bpf_attr</c> for BPF_MAP_FREEZE (just the map fd).</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct MapFdAttr
{
    [FieldOffset(0)] public uint MapFd;
}
