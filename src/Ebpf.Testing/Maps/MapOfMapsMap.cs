using Ebpf.Object;
using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Maps of maps (<c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>, <c>HASH_OF_MAPS</c>): each slot holds an inner map, which
/// <c>bpf_map_lookup_elem</c> returns for the program to pass to map helpers. User space fills the slots
/// (<see cref="SetInner"/>, with a map from <see cref="CreateInner"/>); programs cannot update them.</summary>
public sealed class MapOfMapsMap : InterpreterMap
{
    readonly Dictionary<byte[], InterpreterMap> _inner = new(KeyComparer.Instance);
    readonly BpfVm _vm;

    internal MapOfMapsMap(MapSpec spec, BpfVm vm)
        : base(spec.Name, spec.Type, checked((int)spec.KeySize), 4, checked((int)spec.MaxEntries), vm.Memory)
    {
        _vm = vm;
        InnerTemplate = spec.InnerMap;
        if (spec.Type == KernelMapType.ArrayOfMaps && spec.KeySize != 4)
            throw new ArgumentException($"array of maps '{spec.Name}' must have 4-byte keys, not {spec.KeySize}");
    }

    /// <summary>The inner map template of the object (its type, key and value sizes), or null.</summary>
    public MapSpec? InnerTemplate { get; }

    /// <summary>A new inner map shaped as the template (or as <paramref name="spec"/>), named <paramref name="name"/>,
    /// registered with the VM so programs can use it once it is in a slot.</summary>
    public InterpreterMap CreateInner(string name, MapSpec? spec = null)
    {
        var template = spec ?? InnerTemplate ?? throw new InvalidOperationException($"map of maps '{Name}' has no inner map template: pass a MapSpec");
        var inner = MapFactory.Create(new MapSpec
        {
            Name = name, Type = template.Type, KeySize = template.KeySize, ValueSize = template.ValueSize,
            MaxEntries = template.MaxEntries, Flags = template.Flags, MapExtra = template.MapExtra, InnerMap = template.InnerMap,
        }, _vm);
        _vm.AddInnerMap(inner);
        return inner;
    }

    /// <summary>Puts <paramref name="inner"/> into slot <paramref name="key"/> (user space's update with an inner map fd).</summary>
    public void SetInner(ReadOnlySpan<byte> key, InterpreterMap inner)
    {
        CheckKey(key);
        if (_vm.MapAt(inner.Handle.Address) != inner)
            throw new ArgumentException($"map '{inner.Name}' does not belong to this VM: create it with CreateInner");
        if (Type == KernelMapType.ArrayOfMaps && BitConverter.ToUInt32(key) >= (uint)MaxEntries)
            throw new ArgumentOutOfRangeException(nameof(key), $"slot {BitConverter.ToUInt32(key)} of array of maps '{Name}' (it has {MaxEntries})");
        if (Type == KernelMapType.HashOfMaps && !_inner.ContainsKey(key.ToArray()) && _inner.Count >= MaxEntries)
            throw new InvalidOperationException($"hash of maps '{Name}' is full ({MaxEntries} slots)");
        _inner[key.ToArray()] = inner;
    }

    /// <summary>Puts <paramref name="inner"/> into slot <paramref name="index"/> (a u32 key).</summary>
    public void SetInner(uint index, InterpreterMap inner) => SetInner(BitConverter.GetBytes(index), inner);

    /// <summary>The inner map in slot <paramref name="key"/>, or null.</summary>
    public InterpreterMap? InnerAt(ReadOnlySpan<byte> key) => _inner.GetValueOrDefault(key.ToArray());

    internal override ulong LookupAddress(ReadOnlySpan<byte> key) => _inner.TryGetValue(key.ToArray(), out var inner) ? inner.Handle.Address : 0;

    internal override long DeleteElement(ReadOnlySpan<byte> key) => _inner.Remove(key.ToArray()) ? 0 : -ENOENT;

    /// <summary>Removes the inner map from slot <paramref name="key"/>.</summary>
    public override bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        return _inner.Remove(key.ToArray());
    }

    public override byte[]? Lookup(ReadOnlySpan<byte> key) => throw new NotSupportedException($"map of maps '{Name}': use InnerAt(key)");
    public override void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => throw new NotSupportedException($"map of maps '{Name}': use SetInner(key, CreateInner(name))");

    /// <summary>Each slot's key and its inner map's name (UTF-8).</summary>
    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _inner.Select(e => (e.Key.ToArray(), System.Text.Encoding.UTF8.GetBytes(e.Value.Name))).ToList();
}
