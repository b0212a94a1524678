using System.Runtime.CompilerServices;

namespace Ebpf;

// The ring buffer helpers under their kernel names; the same calls as the RingBuffer methods.
public static partial class Bpf
{
    /// <summary>Copies <paramref name="data"/> into a new record of <paramref name="ringbuf"/> and submits it; returns 0 or -EAGAIN.</summary>
    /// <remarks><c>bpf_ringbuf_output(ringbuf, &amp;data, sizeof(T), flags)</c>, kernel 5.8; <see cref="RingBuffer.Output{T}(in T, RingBufferFlags)"/>.</remarks>
    [BpfHelper(130)]
    public static long RingbufOutput<T>(RingBuffer ringbuf, in T data, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        ringbuf.Output(data, flags);

    /// <summary>Reserves a <typeparamref name="T"/> in <paramref name="ringbuf"/>; a null reference when full.</summary>
    /// <remarks><c>bpf_ringbuf_reserve(ringbuf, sizeof(T), 0)</c>, kernel 5.8; <see cref="RingBuffer.Reserve{T}"/>.</remarks>
    [BpfHelper(131)]
    public static ref T RingbufReserve<T>(RingBuffer ringbuf) where T : unmanaged => ref ringbuf.Reserve<T>();

    /// <summary>Submits a record reserved in <paramref name="ringbuf"/>.</summary>
    /// <remarks><c>bpf_ringbuf_submit(&amp;data, flags)</c>, kernel 5.8: the helper itself takes only the record; the
    /// compiler passes no map.</remarks>
    [BpfHelper(132)]
    public static void RingbufSubmit<T>(RingBuffer ringbuf, ref T data, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        ringbuf.Submit(ref data, flags);

    /// <summary>Discards a record reserved in <paramref name="ringbuf"/>.</summary>
    /// <remarks><c>bpf_ringbuf_discard(&amp;data, flags)</c>, kernel 5.8: the compiler passes no map.</remarks>
    [BpfHelper(133)]
    public static void RingbufDiscard<T>(RingBuffer ringbuf, ref T data, RingBufferFlags flags = RingBufferFlags.None) where T : unmanaged =>
        ringbuf.Discard(ref data, flags);

    /// <summary>A property of <paramref name="ringbuf"/> (available data, size, positions).</summary>
    /// <remarks><c>bpf_ringbuf_query(ringbuf, flags)</c>, kernel 5.8.</remarks>
    [BpfHelper(134)]
    public static ulong RingbufQuery(RingBuffer ringbuf, RingBufferQuery flags) => ringbuf.Query(flags);
}
