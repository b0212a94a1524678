namespace Ebpf;

/// <summary>Runs a program in managed code the way the kernel does, following its tail calls.</summary>
/// <remarks>A program that calls <see cref="Bpf.TailCall{TContext}"/> successfully does not continue: the
/// called program's result is the result. Managed code models that jump with an exception that
/// <see cref="Run{TContext, TResult}"/> catches; calling such a program directly lets it escape.</remarks>
[ManagedOnly]
public static class BpfProgram
{
    /// <summary>MAX_TAIL_CALL_CNT: tail calls one run may make; further ones fail and execution continues.</summary>
    public const int MaxTailCalls = 33;

    static readonly AsyncLocal<RunState?> Active = new();

    internal sealed class RunState { public int TailCalls; }

    internal static RunState? Current => Active.Value;

    /// <summary>Calls <paramref name="program"/> with <paramref name="ctx"/>, then each program it tail-calls, and
    /// returns the last one's result.</summary>
    public static TResult Run<TContext, TResult>(Func<TContext, TResult> program, TContext ctx)
    {
        ArgumentNullException.ThrowIfNull(program);
        var previous = Active.Value;
        var state = new RunState();
        Active.Value = state;
        try
        {
            while (true)
            {
                try
                {
                    return program(ctx);
                }
                catch (TailCallJump jump)
                {
                    program = jump.Target as Func<TContext, TResult> ?? throw new InvalidOperationException(
                        $"Tail call to slot {jump.Index}: the program there is a {jump.Target.GetType().Name}, not a Func<{typeof(TContext).Name}, {typeof(TResult).Name}> " +
                        "(the kernel only lets programs of the caller's type into its program array).");
                }
            }
        }
        finally
        {
            Active.Value = previous;
        }
    }
}

/// <summary>The jump of a successful managed tail call; caught by <see cref="BpfProgram.Run{TContext, TResult}"/>.</summary>
[ManagedOnly]
public sealed class TailCallJump : Exception
{
    internal TailCallJump(uint index, Delegate target)
        : base($"Bpf.TailCall jumped to the program in slot {index}; run the calling program with BpfProgram.Run(program, ctx) to follow tail calls.")
    {
        Index = index;
        Target = target;
    }

    /// <summary>The program array slot jumped to.</summary>
    public uint Index { get; }
    /// <summary>The program in that slot.</summary>
    public Delegate Target { get; }
}
