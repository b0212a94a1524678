namespace Ebpf;

/// <summary>Flags of a map update (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK).</summary>
public enum MapUpdate : ulong { Any = 0, NoExist = 1, Exist = 2, Lock = 4 }

/// <summary>Map creation flags (BPF_F_*).</summary>
[Flags]
public enum MapFlags : uint
{
    None = 0, NoPrealloc = 1 << 0, NoCommonLru = 1 << 1, NumaNode = 1 << 2, ReadOnly = 1 << 3, WriteOnly = 1 << 4,
    StackBuildId = 1 << 5, ZeroSeed = 1 << 6, ReadOnlyProg = 1 << 7, WriteOnlyProg = 1 << 8, Clone = 1 << 9,
    Mmapable = 1 << 10, PreserveElems = 1 << 11, InnerMap = 1 << 12,
}

/// <summary>Whether libbpf-style loaders pin the map by name under the pin path (LIBBPF_PIN_BY_NAME).</summary>
public enum MapPinning { None = 0, ByName = 1 }
