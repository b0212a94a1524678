using Ebpf.Semantics;

namespace Ebpf;

// Call stacks.
public static unsafe partial class Bpf
{
    /// <summary>Stores the current kernel (or, with <see cref="StackFlags.UserStack"/>, user) call stack in
    /// <paramref name="map"/> and returns its id, or a negative errno (-EFAULT: no frames, -EEXIST: the bucket
    /// holds another stack).</summary>
    /// <remarks><c>bpf_get_stackid(ctx, map, flags)</c>, kernel 4.6. Managed: the stack is
    /// <see cref="BpfEnvironment.KernelStack"/> or <see cref="BpfEnvironment.UserStack"/>.</remarks>
    [BpfHelper(27)]
    public static long GetStackid<TContext>(TContext ctx, StackTraceMap map, StackFlags flags)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Store(CurrentStack(flags), flags);
    }

    /// <summary>Copies the current kernel (or user) call stack into <paramref name="buf"/> as 8-byte addresses,
    /// innermost first; returns the number of bytes written, or a negative errno.</summary>
    /// <remarks><c>bpf_get_stack(ctx, buf, size, flags)</c>, kernel 4.18. <paramref name="size"/> must be a multiple
    /// of 8; the unused rest of the buffer is zeroed.</remarks>
    [BpfHelper(67)]
    public static long GetStack<TContext>(TContext ctx, void* buf, uint size, StackFlags flags) =>
        GetStack(ctx, new Span<byte>(buf, checked((int)size)), flags);

    /// <summary>Copies the current call stack into <paramref name="buffer"/>; returns the bytes written or a negative errno.</summary>
    /// <remarks><c>bpf_get_stack(ctx, buffer, buffer.Length, flags)</c>.</remarks>
    [BpfHelper(67)]
    public static long GetStack<TContext>(TContext ctx, Span<byte> buffer, StackFlags flags)
        => StackCopy.Fill(buffer, flags, CurrentStack);

    static ReadOnlySpan<ulong> CurrentStack(StackFlags flags) =>
        StackCopy.WantsUserStack(flags) ? Env.UserStack : Env.KernelStack;
}
