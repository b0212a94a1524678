namespace Ebpf.Semantics;

/// <summary>The checks <c>bpf_dynptr_read</c> and <c>bpf_dynptr_data</c> make on a dynptr of <c>size</c> bytes (the
/// kernel's helpers.c, <c>bpf_dynptr_check_off_len</c>). The managed <see cref="Dynptr"/> and the interpreter, which
/// lay dynptrs out differently, both ask these.</summary>
internal static class DynptrAccess
{
    /// <summary>Whether <paramref name="length"/> bytes at <paramref name="offset"/> lie within <paramref name="size"/>
    /// (written so that no sum can wrap).</summary>
    public static bool Covers(uint size, uint offset, uint length) => length <= size && offset <= size - length;

    /// <summary>bpf_dynptr_data's answer: whether the bytes may be handed out in place (an empty dynptr has none).</summary>
    public static bool CanExpose(bool empty, uint size, uint offset, uint length) => !empty && Covers(size, offset, length);

    /// <summary>bpf_dynptr_read's checks, in the kernel's order: 0 when <paramref name="destination"/>.Length bytes at
    /// <paramref name="offset"/> may be copied; else -EINVAL (an empty dynptr, flags other than 0) or -E2BIG (past the
    /// end), with <paramref name="destination"/> cleared as the kernel clears it.</summary>
    public static long CheckRead(Span<byte> destination, bool empty, uint size, uint offset, ulong flags)
    {
        long error = empty || flags != 0 ? -Errno.EINVAL
            : !Covers(size, offset, (uint)destination.Length) ? -Errno.E2BIG
            : 0;
        if (error != 0) destination.Clear();
        return error;
    }
}
