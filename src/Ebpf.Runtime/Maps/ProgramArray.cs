using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>A view of a BPF_MAP_TYPE_PROG_ARRAY: the jump table of <c>bpf_tail_call</c>. Slots hold programs (written
/// as fds, read back as program ids); an empty slot makes the tail call fall through.</summary>
public sealed class ProgramArray
{
    internal ProgramArray(Map map)
    {
        if (map.Type != MapType.ProgArray)
            throw new InvalidOperationException($"map '{map.Name}' has type {MapKinds.KernelName(map.Type)}, not prog_array");
        if (map.KeySize != 4 || map.ValueSize != 4)
            throw new InvalidOperationException($"prog_array map '{map.Name}' must have 4-byte keys and values (has {map.KeySize} and {map.ValueSize})");
        Raw = map;
    }

    public Map Raw { get; }
    public string Name => Raw.Name;
    public uint Capacity => Raw.MaxEntries;

    /// <summary>Puts <paramref name="program"/> in slot <paramref name="index"/>; it must have the caller's program type.</summary>
    public void Set(uint index, Program program)
    {
        CheckIndex(index);
        using var fd = program.Handle.Lease();
        int value = fd.Fd;
        try
        {
            Raw.Update(TypedMapChecks.Bytes(ref index), TypedMapChecks.Bytes(ref value));
        }
        catch (BpfException e) when (e.Errno == Syscalls.Errno.EINVAL)
        {
            throw new BpfException($"put program '{program.Name}' in slot {index} of prog_array '{Name}'", e.Errno,
                "programs in one prog_array must share the program type (and JIT/offload state) of the first one stored");
        }
    }

    /// <summary>Empties slot <paramref name="index"/>; false when it was empty.</summary>
    public bool Clear(uint index)
    {
        CheckIndex(index);
        return Raw.Delete(TypedMapChecks.Bytes(ref index));
    }

    /// <summary>The id of the program in slot <paramref name="index"/>, or null when empty.</summary>
    public uint? ProgramIdAt(uint index)
    {
        CheckIndex(index);
        uint id = 0;
        return Raw.TryLookup(TypedMapChecks.Bytes(ref index), TypedMapChecks.Bytes(ref id)) ? id : null;
    }

    void CheckIndex(uint index)
    {
        if (index >= Capacity) throw new ArgumentOutOfRangeException(nameof(index), index, $"prog_array '{Name}' has {Capacity} slots");
    }
}
