namespace Ebpf.Runtime;

/// <summary>Options for creating maps.</summary>
public sealed class MapOptions
{
    /// <summary>Default directory for maps pinned by name (LIBBPF_PIN_BY_NAME): a bpffs mount.</summary>
    public const string DefaultPinPath = "/sys/fs/bpf";

    /// <summary>Directory on a bpffs mount where maps with <see cref="Ebpf.Object.MapPinning.ByName"/> are pinned
    /// as <c>PinPath/&lt;map name&gt;</c>; an existing compatible pin is reused, as libbpf does.</summary>
    public string PinPath { get; set; } = DefaultPinPath;
}

/// <summary>Flags of a map update from user space (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK).</summary>
public enum MapUpdateFlags : ulong
{
    /// <summary>BPF_ANY: create or replace.</summary>
    Any = 0,
    /// <summary>BPF_NOEXIST: create only; EEXIST if the key is present.</summary>
    NoExist = 1,
    /// <summary>BPF_EXIST: replace only; ENOENT if the key is absent.</summary>
    Exist = 2,
    /// <summary>BPF_F_LOCK: update under the value's bpf_spin_lock.</summary>
    Lock = 4,
}

/// <summary>What the kernel reports about a map (BPF_OBJ_GET_INFO_BY_FD, <c>struct bpf_map_info</c>).</summary>
public sealed record MapInfo(uint Id, Ebpf.Object.MapType Type, string Name, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags,
    uint BtfId, uint BtfKeyTypeId, uint BtfValueTypeId);
