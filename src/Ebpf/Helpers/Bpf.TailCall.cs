namespace Ebpf;

// Tail calls.
public static partial class Bpf
{
    /// <summary>Jumps to the program in slot <paramref name="index"/> of <paramref name="programs"/>, reusing the stack
    /// frame: on success it does not return. It returns (a negative errno) only when the slot is empty, out of
    /// range, or the chain already made 33 tail calls; execution then continues after the call.</summary>
    /// <remarks><c>bpf_tail_call(ctx, map, index)</c>, kernel 4.2. <paramref name="ctx"/> must be the program's own
    /// context. Managed: the jump is followed by <see cref="BpfProgram.Run{TContext, TResult}"/>.</remarks>
    [BpfHelper(12)]
    public static long TailCall<TContext>(TContext ctx, ProgramArray programs, uint index)
    {
        ArgumentNullException.ThrowIfNull(programs);
        var target = programs.At(index);
        if (target is null) return -Errno.ENOENT;
        var run = BpfProgram.Current;
        if (run is not null)
        {
            if (run.TailCalls >= BpfProgram.MaxTailCalls) return -Errno.ENOENT;
            run.TailCalls++;
        }
        throw new TailCallJump(index, target);
    }
}
