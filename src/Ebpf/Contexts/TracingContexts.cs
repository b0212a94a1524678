namespace Ebpf;

/// <summary>The context of a raw tracepoint program (struct bpf_raw_tracepoint_args): the tracepoint's
/// arguments as a u64 array, before any formatting.</summary>
/// <remarks>Kernel 4.17. The arguments are those of the kernel's <c>TP_PROTO</c> (e.g. for <c>sched_switch</c>:
/// preempt, prev, next). In managed code build one with <see cref="WithArguments"/>.</remarks>
public unsafe struct RawTracepointContext
{
    /// <summary>The most arguments a tracepoint has (MAX_BPF_FUNC_ARGS).</summary>
    public const int MaxArguments = 12;
    fixed ulong _args[MaxArguments];

    /// <summary>Argument <paramref name="n"/> (from 0), truncated to <typeparamref name="T"/>: <c>ctx->args[n]</c>.</summary>
    [ContextArgument(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88)]
    public T Arg<T>(int n) where T : unmanaged
    {
        if ((uint)n >= MaxArguments) throw new ArgumentOutOfRangeException(nameof(n), n, $"A tracepoint has at most {MaxArguments} arguments.");
        return Slots.Truncate<T>(_args[n]);
    }

    /// <summary>A context holding <paramref name="arguments"/>.</summary>
    [ManagedOnly]
    public static RawTracepointContext WithArguments(params ReadOnlySpan<ulong> arguments)
    {
        if (arguments.Length > MaxArguments) throw new ArgumentException($"At most {MaxArguments} arguments.", nameof(arguments));
        var ctx = new RawTracepointContext();
        for (int i = 0; i < arguments.Length; i++) ctx._args[i] = arguments[i];
        return ctx;
    }
}

/// <summary>The context of BTF-typed tracing programs (fentry, fexit, tp_btf, LSM): the traced function's
/// arguments as a u64 array, typed by BTF so pointer arguments can be dereferenced directly.</summary>
/// <remarks>Kernel 5.5 (fentry/fexit), 5.7 (LSM). The verifier checks each slot's type from the function's BTF.
/// In fexit, <see cref="ReturnValue{T}"/> reads the return value with <c>bpf_get_func_ret</c>.
/// In managed code build one with <see cref="WithArguments"/> and <see cref="WithReturnValue"/>.</remarks>
public unsafe struct TracingContext
{
    /// <summary>The most arguments a traced function has (MAX_BPF_FUNC_ARGS).</summary>
    public const int MaxArguments = 12;
    fixed ulong _args[MaxArguments];
    int _count;
    ulong _returnValue;
    ulong _functionIp;
    ulong _cookie;

    /// <summary>Argument <paramref name="n"/> (from 0), truncated to <typeparamref name="T"/>: <c>((u64 *)ctx)[n]</c>.</summary>
    [ContextArgument(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88)]
    public T Arg<T>(int n) where T : unmanaged
    {
        if ((uint)n >= MaxArguments) throw new ArgumentOutOfRangeException(nameof(n), n, $"A traced function has at most {MaxArguments} arguments.");
        return Slots.Truncate<T>(_args[n]);
    }

    /// <summary>The traced function's return value in an fexit program, truncated to <typeparamref name="T"/>.</summary>
    /// <remarks><c>bpf_get_func_ret(ctx, &amp;value)</c> (id 184, kernel 5.17).</remarks>
    [ContextReturnValue(Helper = 184)]
    public T ReturnValue<T>() where T : unmanaged => Slots.Truncate<T>(_returnValue);

    internal int ArgumentCount => _count;
    internal ulong RawArgument(int n) => _args[n];
    internal ulong RawReturnValue => _returnValue;
    internal ulong FunctionIp => _functionIp;
    internal ulong Cookie => _cookie;

    /// <summary>A context holding <paramref name="arguments"/>, the traced function's arguments.</summary>
    [ManagedOnly]
    public static TracingContext WithArguments(params ReadOnlySpan<ulong> arguments)
    {
        if (arguments.Length > MaxArguments) throw new ArgumentException($"At most {MaxArguments} arguments.", nameof(arguments));
        var ctx = new TracingContext { _count = arguments.Length };
        for (int i = 0; i < arguments.Length; i++) ctx._args[i] = arguments[i];
        return ctx;
    }

    /// <summary>A copy of this context with the return value an fexit program sees.</summary>
    [ManagedOnly]
    public readonly TracingContext WithReturnValue(ulong value) { var copy = this; copy._returnValue = value; return copy; }

    /// <summary>A copy of this context with the traced function's address (<c>bpf_get_func_ip</c>) and the
    /// attachment's cookie (<c>bpf_get_attach_cookie</c>).</summary>
    [ManagedOnly]
    public readonly TracingContext WithFunction(ulong ip, ulong cookie = 0) { var copy = this; copy._functionIp = ip; copy._cookie = cookie; return copy; }
}

/// <summary>The context of a perf event program (struct bpf_perf_event_data): the registers at the sample,
/// the sample period, and the data address.</summary>
/// <remarks>Kernel 4.9. The registers are an x86-64 <c>pt_regs</c> at offset 0.</remarks>
public struct PerfEventContext
{
    PtRegs _regs;
    ulong _samplePeriod;
    ulong _addr;

    /// <summary>The instruction pointer at the sample (<c>regs.ip</c>).</summary>
    [ContextField(128, 8)] public readonly ulong Ip => _regs.Ip;
    /// <summary>The stack pointer at the sample (<c>regs.sp</c>).</summary>
    [ContextField(152, 8)] public readonly ulong Sp => _regs.Sp;
    /// <summary>The event's sample period (<c>sample_period</c>).</summary>
    [ContextField(168, 8)] public ulong SamplePeriod { readonly get => _samplePeriod; [ManagedOnly] init => _samplePeriod = value; }
    /// <summary>The data address of the sample, for events that record one (<c>addr</c>).</summary>
    [ContextField(176, 8)] public ulong Addr { readonly get => _addr; [ManagedOnly] init => _addr = value; }

    /// <summary>The registers at the sample.</summary>
    [ManagedOnly] public PtRegs Regs { readonly get => _regs; init => _regs = value; }

    /// <summary>Argument register <paramref name="n"/> (di, si, dx, cx, r8, r9) at the sample.</summary>
    [ContextArgument(112, 104, 96, 88, 72, 64)]
    public readonly T Arg<T>(int n) where T : unmanaged => _regs.Arg<T>(n);
}
