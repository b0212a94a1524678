namespace Ebpf.Abi;

/// <summary>The verifier's fixed limits, declared once; every layer (rules, compiler, runtime) reads them here.</summary>
public static class AbiLimits
{
    /// <summary>Bytes of stack one BPF function may use, and the combined stack of a BPF-to-BPF call chain
    /// (MAX_BPF_STACK, include/linux/filter.h).</summary>
    public const int MaxStackBytes = 512;

    /// <summary>Arguments of a helper or BPF-to-BPF call: R1..R5 (MAX_BPF_FUNC_REG_ARGS).</summary>
    public const int MaxCallArguments = 5;

    /// <summary>Nested BPF-to-BPF call frames, the program's own included (MAX_CALL_FRAMES).</summary>
    public const int MaxCallFrames = 8;

    /// <summary>Instructions the verifier walks for a privileged program (BPF_COMPLEXITY_LIMIT_INSNS), kernel 5.2.</summary>
    public const int MaxProcessedInstructions = 1_000_000;

    /// <summary>Instructions of an unprivileged program, and of any program before kernel 5.2 (BPF_MAXINSNS).</summary>
    public const int MaxInstructionsUnprivileged = 4096;

    /// <summary>Chained tail calls (MAX_TAIL_CALL_CNT, 33 since 5.17; 32 before).</summary>
    public const int MaxTailCalls = 33;

    /// <summary>Size of a stack slot the verifier tracks spills in (BPF_REG_SIZE).</summary>
    public const int StackSlotBytes = 8;

    /// <summary>Leading bytes of a perf tracepoint's record (common_type, common_flags, common_preempt_count,
    /// common_pid) that a tracepoint program may not read: tp_prog_is_valid_access refuses offsets below sizeof(void *).</summary>
    public const int TracepointHiddenCommonBytes = 8;

    /// <summary>Arguments of bpf_trace_vprintk / bpf_snprintf / bpf_seq_printf (MAX_BPRINTF_VARARGS).</summary>
    public const int MaxPrintfArguments = 12;
}
