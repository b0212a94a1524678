using System.Runtime.InteropServices;

namespace Ebpf.Semantics;

/// <summary><c>bpf_get_stack</c>'s rules (the kernel's stackmap.c, <c>__bpf_get_stack</c>): the flags it takes, the
/// frames it copies and what it leaves in the rest of the buffer. The managed <c>Bpf.GetStack</c> and the
/// interpreter's helper both run this, so a probe sees the same result in either.</summary>
internal static class StackCopy
{
    const StackFlags Accepted = StackFlags.SkipMask | StackFlags.UserStack | StackFlags.UserBuildId;

    /// <summary>Whether <paramref name="flags"/> ask for the user-space stack rather than the kernel's.</summary>
    public static bool WantsUserStack(StackFlags flags) => (flags & StackFlags.UserStack) != 0;

    /// <summary>Copies the stack <paramref name="stackFor"/> returns (innermost first) into <paramref name="buffer"/> as
    /// 8-byte addresses, after the frames <paramref name="flags"/> skip, and zeroes the rest; returns the bytes written.
    /// -EINVAL, with the buffer cleared, for unknown flags, a size that is not a multiple of 8, or a build id asked
    /// for without the user stack.</summary>
    /// <remarks><paramref name="stackFor"/> is called only when the flags pass, as the kernel walks the stack only then
    /// (and a test's stack provider sees no call for a refused one).</remarks>
    public static long Fill(Span<byte> buffer, StackFlags flags, Func<StackFlags, ReadOnlySpan<ulong>> stackFor)
    {
        if ((flags & ~Accepted) != 0
            || buffer.Length % 8 != 0
            || ((flags & StackFlags.UserBuildId) != 0 && !WantsUserStack(flags)))
        {
            buffer.Clear();
            return -Errno.EINVAL;
        }
        var stack = stackFor(flags);
        int skip = (int)(flags & StackFlags.SkipMask);
        var frames = stack.Length > skip ? stack[skip..] : [];
        var slots = MemoryMarshal.Cast<byte, ulong>(buffer);
        int n = Math.Min(frames.Length, slots.Length);
        frames[..n].CopyTo(slots);
        slots[n..].Clear();
        return n * 8L;
    }
}
