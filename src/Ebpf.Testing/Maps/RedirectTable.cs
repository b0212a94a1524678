using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>The maps XDP programs redirect through (<c>BPF_MAP_TYPE_DEVMAP</c>, <c>DEVMAP_HASH</c>, <c>CPUMAP</c>,
/// <c>XSKMAP</c>): a u32 key holds a target user space stored (an ifindex, a queue size, a socket).
/// <c>bpf_redirect_map</c> gives XDP_REDIRECT for a key with a target, recorded in the run's
/// <see cref="PacketResult.Redirect"/>, and the fallback action in its flags otherwise.</summary>
/// <remarks>The array kinds (devmap, cpumap, xskmap) refuse keys from max_entries on with -E2BIG, as the kernel's.</remarks>
public sealed class RedirectTable : InterpreterMap
{
    readonly HashTable _targets;

    internal RedirectTable(string name, KernelMapType type, int keySize, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, type, keySize, valueSize, maxEntries, memory)
    {
        if (keySize != 4) throw new ArgumentException($"{type} map '{name}' must have 4-byte keys, not {keySize}");
        _targets = new HashTable(name, KernelMapType.Hash, keySize, valueSize, maxEntries, memory);
    }

    bool Indexed => Type != KernelMapType.DevMapHash;

    /// <summary>Whether <paramref name="key"/> holds a target.</summary>
    public bool HasTarget(uint key) => _targets.LookupAddress(BitConverter.GetBytes(key)) != 0;

    internal override ulong LookupAddress(ReadOnlySpan<byte> key) => _targets.LookupAddress(key);

    internal override long UpdateElement(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
        => Indexed && BitConverter.ToUInt32(key) >= (uint)MaxEntries ? -E2BIG : _targets.UpdateElement(key, value, flags);

    internal override long DeleteElement(ReadOnlySpan<byte> key) => _targets.DeleteElement(key);

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _targets.Entries;
}
