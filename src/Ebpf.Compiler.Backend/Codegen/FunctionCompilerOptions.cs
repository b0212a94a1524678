namespace Ebpf.Compiler.Codegen;

/// <summary>Knobs of <see cref="FunctionCompiler"/>.</summary>
public sealed class FunctionCompilerOptions
{
    /// <summary>Called with (stage, function, text) after each stage whose name <see cref="DumpStage"/>
    /// accepts (all stages when it is null). Stages: <c>frontend</c>, then each pass that changed
    /// something (<c>Inliner</c>, <c>PromoteMemoryToRegisters</c>, <c>ConstantPropagation</c>, ...,
    /// <c>CriticalEdgeSplitting</c>), <c>optimized</c>, <c>isel</c> (machine code on virtual registers),
    /// <c>regalloc</c>, <c>emit</c> (final instructions). Callees being inlined are dumped under their own name.</summary>
    public Action<string, string, string>? Dump { get; init; }

    /// <summary>Which stages to print; null prints all (when <see cref="Dump"/> is set).</summary>
    public Func<string, bool>? DumpStage { get; init; }

    /// <summary>Checks the IR after the frontend and after every pass (the IR verifier). On by default:
    /// it is cheap for BPF-sized functions and turns a pass bug into a clear internal error.</summary>
    public bool VerifyIr { get; init; } = true;

    /// <summary>Callees with at most this many IR instructions are inlined unless marked NoInlining.</summary>
    public int InlineThreshold { get; init; } = 64;

    /// <summary>Upper bound on rounds of the cleanup passes (they normally settle in two or three).</summary>
    public int MaxOptimizationRounds { get; init; } = 12;

    /// <summary>Store constants with BPF_ST (<c>*(u64 *)(r10 - 16) = 1</c>) instead of through a register.
    /// The kernel accepts it and it saves an instruction per constant store, but clang never emits it
    /// and LLVM's disassembler before version 16 prints it as <c>&lt;unknown&gt;</c>; off by default.</summary>
    public bool StoreImmediates { get; init; }

    /// <summary>Whether 32-bit comparisons may use BPF_JMP32 (kernel 5.1; off when the target kernel is older).</summary>
    public bool Jump32 { get; init; } = true;

    /// <summary>IDs of the IR checks (<see cref="Checks.IrChecks"/>) not to run; a rule switched off in
    /// <c>BpfCompilerOptions.DisabledRules</c> switches its IR check off too.</summary>
    public IReadOnlyCollection<string> DisabledChecks { get; init; } = Array.Empty<string>();

    public static FunctionCompilerOptions Default { get; } = new();

    /// <summary>Whether <see cref="Dump"/> is to receive the function after <paramref name="stage"/>.</summary>
    public bool Wants(string stage) => Dump is not null && (DumpStage is null || DumpStage(stage));
}
