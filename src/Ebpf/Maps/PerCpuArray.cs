using System.Collections;
using System.Runtime.CompilerServices;
using Ebpf.Maps.Storage;

namespace Ebpf;

/// <summary>An array map with one value per CPU in each element (BPF_MAP_TYPE_PERCPU_ARRAY).</summary>
/// <remarks>Kernel 4.6. A program sees the value of the CPU it runs on (managed: <see cref="BpfEnvironment.ProcessorId"/>):
/// the usual scratch space and lock-free counters. A program's update writes only its CPU's value. User space
/// reads and writes all CPUs at once (<see cref="LookupAllCpus"/>, <see cref="UpdateAllCpus"/>).</remarks>
[BpfMap(MapType.PercpuArray, KeySize = 4)]
public sealed class PerCpuArray<TValue> : BpfMap, IEnumerable<KeyValuePair<uint, TValue[]>> where TValue : unmanaged
{
    readonly PerCpuSlot<TValue>[] _elements;

    /// <summary>Defines the map: <paramref name="maxEntries"/> elements, each with a zero value per CPU.</summary>
    public PerCpuArray(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.PercpuArray, maxEntries, flags, pinning)
    {
        uint cpus = BpfEnvironment.Current.CpuCount;
        _elements = new PerCpuSlot<TValue>[maxEntries];
        for (int i = 0; i < _elements.Length; i++) _elements[i] = new PerCpuSlot<TValue>(cpus);
    }

    /// <summary>A reference to the current CPU's value of element <paramref name="index"/>, or a null reference when out of range.</summary>
    /// <remarks><c>bpf_map_lookup_elem(map, &amp;index)</c>.</remarks>
    [MapHelper(1)]
    public ref TValue Lookup(in uint index)
    {
        if (index >= _elements.Length) return ref Unsafe.NullRef<TValue>();
        return ref _elements[index].On(BpfEnvironment.Current.ProcessorId);
    }

    /// <summary>A reference to CPU <paramref name="cpu"/>'s value of element <paramref name="index"/>, or a null
    /// reference when the index or the CPU is out of range.</summary>
    /// <remarks><c>bpf_map_lookup_percpu_elem(map, &amp;index, cpu)</c>, kernel 5.19.</remarks>
    [MapHelper(195)]
    public ref TValue LookupOnCpu(in uint index, uint cpu)
    {
        if (index >= _elements.Length || cpu >= BpfEnvironment.Current.CpuCount) return ref Unsafe.NullRef<TValue>();
        return ref _elements[index].On(cpu);
    }

    /// <summary>Copies the current CPU's value of element <paramref name="index"/>; false when out of range.</summary>
    /// <remarks><c>bpf_map_lookup_elem</c>, then a copy when not NULL.</remarks>
    [MapHelper(1)]
    public bool TryGetValue(in uint index, out TValue value)
    {
        bool inRange = index < _elements.Length;
        value = inRange ? _elements[index].On(BpfEnvironment.Current.ProcessorId) : default;
        return inRange;
    }

    /// <summary>Overwrites the current CPU's value of element <paramref name="index"/>; returns 0 or a negative errno
    /// (-E2BIG out of range, -EEXIST for <see cref="MapUpdate.NoExist"/>, -EINVAL for bad flags).</summary>
    /// <remarks><c>bpf_map_update_elem(map, &amp;index, &amp;value, flags)</c>.</remarks>
    [MapHelper(2)]
    public long Update(in uint index, in TValue value, MapUpdate flags = MapUpdate.Any)
    {
        long check = ArrayUpdates.Check(index, (uint)_elements.Length, flags);
        if (check != 0) return check;
        _elements[index].On(BpfEnvironment.Current.ProcessorId) = value;
        return 0;
    }

    /// <summary>Array elements cannot be deleted: always -EINVAL, as in the kernel.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;index)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in uint index) => -Errno.EINVAL;

    /// <summary>Every CPU's value of element <paramref name="index"/> (index = CPU), as user space reads it.</summary>
    [ManagedOnly]
    public TValue[] LookupAllCpus(uint index) => Element(index).Copy(BpfEnvironment.Current.CpuCount);

    /// <summary>Sets every CPU's value of element <paramref name="index"/> (missing CPUs zero), as user space writes it.</summary>
    [ManagedOnly]
    public void UpdateAllCpus(uint index, ReadOnlySpan<TValue> values)
    {
        var element = Element(index);
        uint cpus = BpfEnvironment.Current.CpuCount;
        if (values.Length > cpus) throw new ArgumentException($"{values.Length} values for {cpus} CPUs.", nameof(values));
        element.Zero();
        for (int cpu = 0; cpu < values.Length; cpu++) element.On((uint)cpu) = values[cpu];
    }

    /// <summary>The number of elements (<c>max_entries</c>).</summary>
    [ManagedOnly] public int Count => _elements.Length;

    /// <summary>Zeroes every CPU's value of every element.</summary>
    [ManagedOnly] public void Clear() { foreach (var element in _elements) element.Zero(); }

    /// <summary>Every element with every CPU's value, in index order.</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<uint, TValue[]>> GetEnumerator()
    {
        uint cpus = BpfEnvironment.Current.CpuCount;
        for (uint i = 0; i < _elements.Length; i++) yield return new(i, _elements[i].Copy(cpus));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    PerCpuSlot<TValue> Element(uint index) => index < _elements.Length
        ? _elements[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is outside the array of {_elements.Length} elements.");
}
