using System.Buffers.Binary;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>The maps of libbpf's USDT protocol in one loaded object (usdt.bpf.h): <c>__bpf_usdt_specs</c> (spec id -&gt;
/// <c>struct __bpf_usdt_spec</c>) and <c>__bpf_usdt_ip_to_spec_id</c> (probe address -&gt; spec id, read only on
/// kernels without BPF cookies), the spec's layout as the object's usdt.bpf.h has it, and which spec ids are in use.</summary>
internal sealed class UsdtSpecTable
{
    public const string SpecsMapName = "__bpf_usdt_specs", AddressMapName = "__bpf_usdt_ip_to_spec_id";

    readonly Map _specs;
    readonly Map? _addresses;
    readonly bool[] _used;

    UsdtSpecTable(Map specs, Map? addresses, UsdtSpecLayout layout)
    {
        _specs = specs;
        Layout = layout;
        _addresses = addresses;
        _used = new bool[specs.MaxEntries];
    }

    public UsdtSpecLayout Layout { get; }

    /// <summary>The table of an object whose maps include usdt.bpf.h's; null when they do not. The spec layout comes
    /// from the map value's BTF in <paramref name="spec"/> (the classic layout when the object has none).</summary>
    public static UsdtSpecTable? For(IReadOnlyDictionary<string, Map> maps, ObjectSpec spec)
    {
        if (!maps.TryGetValue(SpecsMapName, out var specs)) return null;
        var valueType = spec.Maps.FirstOrDefault(m => m.Name == SpecsMapName)?.ValueType;
        var layout = valueType is null ? UsdtSpecLayout.Classic : UsdtSpecLayout.FromBtf(valueType, SpecsMapName);
        if (specs.KeySize != 4 || specs.ValueSize != layout.Size)
            throw new LoadException($"map '{SpecsMapName}' has {specs.KeySize}-byte keys and {specs.ValueSize}-byte values; usdt.bpf.h's has 4-byte keys and "
                + (valueType is null ? $"{layout.Size}-byte values (libbpf up to 1.6; the object has no BTF for the map to say otherwise)" : $"values of its struct __bpf_usdt_spec ({layout.Size} bytes)"));
        maps.TryGetValue(AddressMapName, out var addresses);
        return new UsdtSpecTable(specs, addresses is { KeySize: 8, ValueSize: 4 } ? addresses : null, layout);
    }

    public bool HasAddressMap => _addresses is not null;

    /// <summary>Stores <paramref name="spec"/> under a free id and returns it.</summary>
    public int Add(byte[] spec, string what)
    {
        lock (_used)
        {
            int id = Array.IndexOf(_used, false);
            if (id < 0)
                throw new InvalidOperationException($"attach {what}: all {_used.Length} USDT spec slots of map '{SpecsMapName}' are in use (define BPF_USDT_MAX_SPEC_CNT larger before including usdt.bpf.h)");
            Span<byte> key = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(key, id);
            _specs.Update(key, spec);
            _used[id] = true;
            return id;
        }
    }

    public void Remove(int id)
    {
        lock (_used) _used[id] = false;
    }

    public void MapAddress(ulong address, int id)
    {
        Span<byte> key = stackalloc byte[8], value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt64LittleEndian(key, address);
        BinaryPrimitives.WriteInt32LittleEndian(value, id);
        _addresses!.Update(key, value);
    }

    public void UnmapAddress(ulong address)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(key, address);
        if (!_addresses!.Handle.IsClosed) _addresses.Delete(key);
    }
}
