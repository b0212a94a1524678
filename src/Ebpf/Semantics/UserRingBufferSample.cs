namespace Ebpf.Semantics;

/// <summary>The room a sample takes in a user ring buffer (the kernel's ringbuf.c): its length plus the 8-byte record
/// header, rounded up to 8. The managed <see cref="UserRingBuffer"/> and the interpreter's map size their rings with
/// it, so a test fills either with the same samples before <c>TrySubmit</c> refuses one.</summary>
internal static class UserRingBufferSample
{
    /// <summary>BPF_RINGBUF_HDR_SZ: the length and flags word before each sample.</summary>
    public const int HeaderSize = 8;

    /// <summary>The bytes a sample of <paramref name="length"/> bytes occupies in the ring.</summary>
    public static ulong Footprint(int length) => ((ulong)length + HeaderSize + 7) & ~7UL;
}
