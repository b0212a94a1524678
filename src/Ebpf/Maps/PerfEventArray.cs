using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>A perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY): one perf event per CPU, through which a
/// program sends samples to per-CPU buffers that user space reads.</summary>
/// <remarks>
/// Kernel 4.4 (output 4.4, <c>bpf_perf_event_read_value</c> 4.15). <c>maxEntries</c> 0 means one entry per
/// possible CPU (the loader fills it in, as libbpf does). Prefer <see cref="RingBuffer"/> on kernel 5.8+.
/// Managed: every CPU's buffer is open and unbounded; <see cref="TakeAll"/> returns the samples with their CPU.
/// </remarks>
[BpfMap(MapType.PerfEventArray, KeySize = 4, ValueSize = 4)]
public sealed class PerfEventArray : BpfMap
{
    /// <summary>BPF_F_CURRENT_CPU: the flags value that selects the current CPU's entry.</summary>
    public const ulong CurrentCpu = 0xFFFFFFFF;
    /// <summary>BPF_F_INDEX_MASK: the bits of the flags that hold an entry index.</summary>
    public const ulong IndexMask = 0xFFFFFFFF;

    readonly List<(uint Cpu, byte[] Data)> _samples = [];
    readonly Lock _gate = new();

    /// <summary>Defines the map; 0 entries (the default) means one per possible CPU.</summary>
    public PerfEventArray(uint maxEntries = 0, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
        : base(MapType.PerfEventArray, maxEntries == 0 ? BpfEnvironment.Current.CpuCount : maxEntries, flags, pinning) { }

    /// <summary>Sends <paramref name="data"/> as a sample to the entry in <paramref name="flags"/> (default: the
    /// current CPU's); returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_perf_event_output(ctx, map, flags, &amp;data, sizeof(T))</c>. <paramref name="ctx"/> is the
    /// program's context. Errors as the kernel's: -EINVAL for flags outside the index mask, -E2BIG for an index
    /// out of range, -EOPNOTSUPP for another CPU's entry.</remarks>
    [MapHelper(25)]
    public long Output<TContext, T>(TContext ctx, in T data, ulong flags = CurrentCpu) where T : unmanaged =>
        Output(ctx, MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in data, 1)), flags);

    /// <summary>Sends the bytes of <paramref name="data"/> as a sample; returns 0 or a negative errno.</summary>
    /// <remarks><c>bpf_perf_event_output(ctx, map, flags, data, data.Length)</c>.</remarks>
    [MapHelper(25)]
    public long Output<TContext>(TContext ctx, ReadOnlySpan<byte> data, ulong flags = CurrentCpu)
    {
        if ((flags & ~IndexMask) != 0) return -Errno.EINVAL;
        uint cpu = BpfEnvironment.Current.ProcessorId;
        ulong index = flags & IndexMask;
        if (index == CurrentCpu) index = cpu;
        if (index >= MaxEntries) return -Errno.E2BIG;
        if (index != cpu) return -Errno.EOPNOTSUPP;   // the event must be on the running CPU
        lock (_gate) _samples.Add((cpu, data.ToArray()));
        return 0;
    }

    readonly Dictionary<uint, BpfPerfEventValue> _counters = [];

    /// <summary>Sets the counter of the event at <paramref name="index"/>, as the hardware would count (for <c>bpf_perf_event_read</c>).</summary>
    [ManagedOnly]
    public void SetCounter(uint index, ulong counter, ulong enabled = 0, ulong running = 0)
    {
        if (index >= MaxEntries) throw new ArgumentOutOfRangeException(nameof(index), $"Entry {index} is outside the map of {MaxEntries}.");
        lock (_gate) _counters[index] = new BpfPerfEventValue { Counter = counter, Enabled = enabled, Running = running };
    }

    /// <summary>The kernel's bpf_perf_event_read_local: -EINVAL for bad flags, -E2BIG out of range, -ENOENT
    /// without an event, -EINVAL for another CPU's event.</summary>
    internal long ReadCounter(ulong flags, out BpfPerfEventValue value)
    {
        value = default;
        if ((flags & ~IndexMask) != 0) return -Errno.EINVAL;
        uint cpu = BpfEnvironment.Current.ProcessorId;
        ulong index = flags & IndexMask;
        if (index == CurrentCpu) index = cpu;
        if (index >= MaxEntries) return -Errno.E2BIG;
        lock (_gate)
        {
            if (!_counters.TryGetValue((uint)index, out var counter)) return -Errno.ENOENT;
            if (index != cpu) return -Errno.EINVAL;
            value = counter;
            return 0;
        }
    }

    /// <summary>Takes every sample sent so far, in order, with the CPU whose buffer received it.</summary>
    [ManagedOnly]
    public List<(uint Cpu, byte[] Data)> TakeAll()
    {
        lock (_gate)
        {
            var all = _samples.ToList();
            _samples.Clear();
            return all;
        }
    }

    /// <summary>Takes every sample as a <typeparamref name="T"/>.</summary>
    [ManagedOnly]
    public List<T> TakeAll<T>() where T : unmanaged => TakeAll().Select(s => MemoryMarshal.Read<T>(s.Data)).ToList();
}
