using System.Buffers.Binary;

namespace Ebpf.Runtime;

/// <summary>The maps of libbpf's USDT protocol in one loaded object (usdt.bpf.h): <c>__bpf_usdt_specs</c> (spec id -&gt;
/// <c>struct __bpf_usdt_spec</c>) and <c>__bpf_usdt_ip_to_spec_id</c> (probe address -&gt; spec id, read only on
/// kernels without BPF cookies), and which spec ids are in use.</summary>
internal sealed class UsdtSpecTable
{
    public const string SpecsMapName = "__bpf_usdt_specs", AddressMapName = "__bpf_usdt_ip_to_spec_id";

    readonly Map _specs;
    readonly Map? _addresses;
    readonly bool[] _used;

    UsdtSpecTable(Map specs, Map? addresses)
    {
        _specs = specs;
        _addresses = addresses;
        _used = new bool[specs.MaxEntries];
    }

    /// <summary>The table of an object whose maps include usdt.bpf.h's; null when they do not.</summary>
    public static UsdtSpecTable? For(IReadOnlyDictionary<string, Map> maps)
    {
        if (!maps.TryGetValue(SpecsMapName, out var specs)) return null;
        if (specs.KeySize != 4 || specs.ValueSize != UsdtArguments.SpecSize)
            throw new LoadException($"map '{SpecsMapName}' has {specs.KeySize}-byte keys and {specs.ValueSize}-byte values; usdt.bpf.h's has 4 and {UsdtArguments.SpecSize} (a different libbpf version's layout?)");
        maps.TryGetValue(AddressMapName, out var addresses);
        return new UsdtSpecTable(specs, addresses is { KeySize: 8, ValueSize: 4 } ? addresses : null);
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
