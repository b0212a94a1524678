using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Local storage (<c>BPF_MAP_TYPE_TASK_STORAGE</c>, <c>INODE_STORAGE</c>, <c>SK_STORAGE</c>,
/// <c>CGRP_STORAGE</c>): one value per kernel object, reached by the object's pointer through
/// <c>bpf_*_storage_get(map, owner, value, flags)</c> and <c>bpf_*_storage_delete(map, owner)</c>.</summary>
/// <remarks>User space reaches the kernel's storage by an fd of the owner (a pidfd, a socket); here a test names the
/// owner by the pointer its program sees (<see cref="ValueOf"/>, <see cref="Set"/>), for instance the
/// <c>task_struct</c> address <c>vm.Helpers.GetCurrentTask</c> returns.</remarks>
public sealed class LocalStorageMap : InterpreterMap
{
    /// <summary>BPF_LOCAL_STORAGE_GET_F_CREATE.</summary>
    const ulong Create = 1;

    readonly Dictionary<ulong, (byte[] Value, MemoryRegion Region)> _values = new();

    internal LocalStorageMap(string name, KernelMapType type, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, type, keySize, valueSize, maxEntries, memory) { }

    /// <summary><c>bpf_*_storage_get</c>: the address of <paramref name="owner"/>'s value; with F_CREATE a missing one
    /// is created from <paramref name="initial"/> (zeros when empty). 0 when absent, or for a null owner.</summary>
    internal ulong Get(ulong owner, ReadOnlySpan<byte> initial, ulong flags)
    {
        if (flags > Create || owner == 0) return 0;
        if (_values.TryGetValue(owner, out var stored)) return stored.Region.Address;
        if (flags != Create) return 0;
        return Set(owner, initial);
    }

    /// <summary><c>bpf_*_storage_delete</c>: 0, or -ENOENT when <paramref name="owner"/> has no value.</summary>
    internal long Remove(ulong owner)
    {
        if (!_values.Remove(owner, out var stored)) return -ENOENT;
        Memory.Unmap(stored.Region);
        return 0;
    }

    /// <summary>The value stored for <paramref name="owner"/> (a copy), or null.</summary>
    public byte[]? ValueOf(ulong owner) => _values.TryGetValue(owner, out var stored) ? stored.Value.ToArray() : null;

    /// <summary>Stores <paramref name="value"/> (zeros when empty) for <paramref name="owner"/>; returns its address.</summary>
    public ulong Set(ulong owner, ReadOnlySpan<byte> value)
    {
        var bytes = new byte[ValueSize];
        value[..Math.Min(value.Length, ValueSize)].CopyTo(bytes);
        if (_values.TryGetValue(owner, out var stored))
        {
            bytes.CopyTo(stored.Value, 0);
            return stored.Region.Address;
        }
        var region = Memory.Map($"{Type} of map '{Name}' for 0x{owner:x}", RegionKind.MapValue, bytes);
        _values[owner] = (bytes, region);
        return region.Address;
    }

    public override byte[]? Lookup(ReadOnlySpan<byte> key) => throw OwnerKeyed();
    public override void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => throw OwnerKeyed();
    public override bool Delete(ReadOnlySpan<byte> key) => throw OwnerKeyed();

    NotSupportedException OwnerKeyed() => new($"local storage '{Name}' is keyed by its owner's pointer here: use ValueOf(owner) and Set(owner, value)");

    /// <summary>Each owner's pointer (8 bytes, little-endian) and value.</summary>
    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _values.Select(e => (BitConverter.GetBytes(e.Key), e.Value.Value.ToArray())).ToList();
}
