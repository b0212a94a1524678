using Ebpf.Semantics;
using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>User ring buffers (<c>BPF_MAP_TYPE_USER_RINGBUF</c>): the test submits samples as user space would
/// (<see cref="TrySubmit"/>); <c>bpf_user_ringbuf_drain</c> hands them, oldest first, to the program's callback as
/// dynptrs.</summary>
/// <remarks>Sized as the kernel's ring (<see cref="RingBufferRecord.Footprint"/>): a sample takes its length plus an
/// 8-byte header, rounded up to 8.</remarks>
public sealed class UserRingBufferMap : InterpreterMap
{
    readonly Queue<byte[]> _samples = new();
    long _usedBytes;

    internal UserRingBufferMap(string name, int sizeBytes, AddressSpace memory)
        : base(name, KernelMapType.UserRingBuf, 0, 0, sizeBytes, memory) { }

    /// <summary>Samples submitted and not yet drained.</summary>
    public int Count => _samples.Count;

    /// <summary>Submits <paramref name="sample"/>; false when the ring has no room for it.</summary>
    public bool TrySubmit(ReadOnlySpan<byte> sample)
    {
        long footprint = RingBufferRecord.Footprint(sample.Length);
        if (_usedBytes + footprint > MaxEntries) return false;
        _samples.Enqueue(sample.ToArray());
        _usedBytes += footprint;
        return true;
    }

    internal bool TryTake(out byte[] sample)
    {
        if (!_samples.TryDequeue(out sample!)) return false;
        _usedBytes -= RingBufferRecord.Footprint(sample.Length);
        return true;
    }

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _samples.Select(s => (Array.Empty<byte>(), s.ToArray())).ToList();
}
