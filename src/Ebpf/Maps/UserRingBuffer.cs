using System.Runtime.InteropServices;
using Ebpf.Semantics;

namespace Ebpf;

/// <summary>The body of <see cref="UserRingBuffer.Drain{TState}"/>, called once per sample: return 0 to go on with the
/// next sample, 1 to stop (the verifier accepts no other value).</summary>
public delegate long UserRingBufferCallback<TState>(ref Dynptr sample, ref TState state) where TState : unmanaged;

/// <summary>A ring buffer user space writes and programs drain (BPF_MAP_TYPE_USER_RINGBUF).</summary>
/// <remarks>Kernel 6.1. The size is a power of two and a multiple of the page size. User space produces samples into
/// the map's shared memory (Ebpf.Runtime's <c>UserRingBufferWriter</c>); a program consumes them with
/// <see cref="Drain{TState}"/>, whose callback receives each sample as a <see cref="Dynptr"/>. Managed: a queue of
/// samples, filled with <see cref="TrySubmit{T}(in T)"/> and sized as the kernel's ring (each sample takes its
/// length plus an 8-byte header, rounded up to 8).</remarks>
[BpfMap(MapType.UserRingbuf, KeySize = 0, ValueSize = 0)]
public sealed class UserRingBuffer(uint sizeBytes, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None)
    : BpfMap(MapType.UserRingbuf, sizeBytes, flags, pinning)
{
    /// <summary>BPF_MAX_USER_RINGBUF_SAMPLES: the most samples one drain consumes.</summary>
    public const int MaxSamplesPerDrain = 128 * 1024;

    /// <summary>BPF_RB_NO_WAKEUP and BPF_RB_FORCE_WAKEUP: the only flags a drain takes.</summary>
    internal const ulong WakeupFlags = 1 | 2;

    readonly Queue<byte[]> _samples = new();
    readonly Lock _gate = new();
    ulong _usedBytes;

    /// <summary>Calls <paramref name="body"/> with each sample user space submitted, oldest first, until it returns 1 or
    /// no sample is left; returns the number of samples consumed (the one the callback stopped at included), or
    /// -EINVAL for flags other than BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP.</summary>
    /// <remarks><c>bpf_user_ringbuf_drain(map, callback, &amp;state, flags)</c>, kernel 6.1. <paramref name="body"/> is a
    /// static lambda or method (a BPF subprogram); the sample is valid only during its call.</remarks>
    [MapHelper(209)]
    public unsafe long Drain<TState>(UserRingBufferCallback<TState> body, ref TState state, ulong flags = 0) where TState : unmanaged
    {
        ArgumentNullException.ThrowIfNull(body);
        if ((flags & ~WakeupFlags) != 0) return -Errno.EINVAL;
        long drained = 0;
        while (drained < MaxSamplesPerDrain && TryTake(out var sample))
        {
            drained++;
            long verdict;
            fixed (byte* data = sample)
            {
                var dynptr = new Dynptr(data, (uint)sample.Length);
                verdict = body(ref dynptr, ref state);
            }
            if (verdict != 0) break;
        }
        return drained;
    }

    /// <summary>Submits <paramref name="sample"/> as user space does; false when the ring has no room for it.</summary>
    [ManagedOnly]
    public bool TrySubmit<T>(in T sample) where T : unmanaged
        => TrySubmit(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in sample)));

    /// <summary>Submits the bytes of <paramref name="sample"/>; false when the ring has no room for them.</summary>
    [ManagedOnly]
    public bool TrySubmit(ReadOnlySpan<byte> sample)
    {
        ulong footprint = (ulong)RingBufferRecord.Footprint(sample.Length);
        lock (_gate)
        {
            if (_usedBytes + footprint > MaxEntries) return false;
            _samples.Enqueue(sample.ToArray());
            _usedBytes += footprint;
            return true;
        }
    }

    /// <summary>The number of samples submitted and not yet drained.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _samples.Count; } }

    bool TryTake(out byte[] sample)
    {
        lock (_gate)
        {
            if (!_samples.TryDequeue(out sample!)) return false;
            _usedBytes -= (ulong)RingBufferRecord.Footprint(sample.Length);
            return true;
        }
    }
}
