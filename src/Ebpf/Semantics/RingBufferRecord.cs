namespace Ebpf.Semantics;

/// <summary>The room a record takes in a ring buffer, <c>BPF_MAP_TYPE_RINGBUF</c> and <c>BPF_MAP_TYPE_USER_RINGBUF</c>
/// alike (the kernel's ringbuf.c): its length plus the 8-byte header, rounded up to 8. The managed
/// <see cref="RingBuffer"/> and <see cref="UserRingBuffer"/> and the interpreter's maps size their rings with it, so a
/// reservation or a submission is refused at the same fill in either.</summary>
internal static class RingBufferRecord
{
    /// <summary>BPF_RINGBUF_HDR_SZ: the length and flags word before each record.</summary>
    public const int HeaderSize = 8;

    /// <summary>The bytes a record of <paramref name="length"/> bytes occupies in the ring.</summary>
    public static long Footprint(int length) => ((long)length + HeaderSize + 7) & ~7L;
}
