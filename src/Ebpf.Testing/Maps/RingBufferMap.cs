using Ebpf.Semantics;
using Ebpf.Testing.Isa;
using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>A ring buffer (<c>BPF_MAP_TYPE_RINGBUF</c>): <c>bpf_ringbuf_reserve</c> hands out a record region that
/// <c>bpf_ringbuf_submit</c> publishes to <see cref="Records"/> and <c>bpf_ringbuf_discard</c> drops;
/// <c>bpf_ringbuf_output</c> publishes a copy. <see cref="InterpreterMap.MaxEntries"/> is the capacity in bytes: a
/// reservation that does not fit beside the unconsumed records (8-byte header each, rounded to 8) returns NULL.</summary>
public sealed class RingBufferMap : InterpreterMap
{
    readonly List<byte[]> _records = new();
    readonly Dictionary<ulong, (MemoryRegion Region, byte[] Bytes)> _reserved = new();
    long _used;

    internal RingBufferMap(string name, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.RingBuf, 0, 0, maxEntries, memory) { }

    /// <summary>The records submitted and not yet taken, oldest first.</summary>
    public IReadOnlyList<byte[]> Records => _records;

    /// <summary>Returns and removes the submitted records (what a consumer would read), freeing their space.</summary>
    public IReadOnlyList<byte[]> Take()
    {
        var taken = _records.ToList();
        _records.Clear();
        _used = _reserved.Values.Sum(r => RingBufferRecord.Footprint(r.Bytes.Length));
        return taken;
    }

    internal ulong Reserve(ulong size, ulong flags)
    {
        if (flags != 0 || size == 0 || size > int.MaxValue || _used + RingBufferRecord.Footprint((int)size) > MaxEntries) return 0;
        var bytes = new byte[size];
        var region = Memory.Map($"ring buffer record of '{Name}' ({size} bytes)", RegionKind.RingBufferRecord, bytes);
        _reserved[region.Address] = (region, bytes);
        _used += RingBufferRecord.Footprint((int)size);
        return region.Address;
    }

    internal void Commit(ulong address, bool submit, string helper)
    {
        if (!_reserved.Remove(address, out var record))
            throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{helper} of 0x{address:x}, which is not a record reserved from ring buffer '{Name}'", address);
        Memory.Unmap(record.Region);
        if (submit) _records.Add(record.Bytes);
        else _used -= RingBufferRecord.Footprint(record.Bytes.Length);
    }

    internal bool Owns(ulong address) => _reserved.ContainsKey(address);

    internal long Output(ReadOnlySpan<byte> data, ulong flags)
    {
        if (flags > 3) return -EINVAL;
        if (_used + RingBufferRecord.Footprint(data.Length) > MaxEntries) return -EAGAIN;
        _records.Add(data.ToArray());
        _used += RingBufferRecord.Footprint(data.Length);
        return 0;
    }

    /// <summary><c>bpf_ringbuf_query</c>: BPF_RB_AVAIL_DATA (0), BPF_RB_RING_SIZE (1), BPF_RB_CONS_POS (2), BPF_RB_PROD_POS (3).</summary>
    internal ulong Query(ulong flags) => flags switch
    {
        0 => (ulong)_records.Sum(r => RingBufferRecord.Footprint(r.Length)),
        1 => (ulong)MaxEntries,
        2 => 0,
        3 => (ulong)_used,
        _ => 0,
    };

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _records.Select(r => (Array.Empty<byte>(), r.ToArray())).ToList();
}

/// <summary>A perf event array (<c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>): <c>bpf_perf_event_output</c> records are captured
/// in <see cref="Events"/> with the CPU index they were written for.</summary>
public sealed class PerfEventArrayMap : InterpreterMap
{
    readonly List<(int Cpu, byte[] Data)> _events = new();

    internal PerfEventArrayMap(string name, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.PerfEventArray, 4, 4, maxEntries, memory) { }

    /// <summary>The events output so far, oldest first.</summary>
    public IReadOnlyList<(int Cpu, byte[] Data)> Events => _events;

    internal void Output(int cpu, ReadOnlySpan<byte> data) => _events.Add((cpu, data.ToArray()));

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _events.Select(e => (BitConverter.GetBytes(e.Cpu), e.Data.ToArray())).ToList();
}
