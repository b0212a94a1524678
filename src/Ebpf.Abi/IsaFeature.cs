namespace Ebpf.Abi;

/// <summary>Instruction-set and verifier features a program may need, each with the first kernel that has it
/// (<see cref="IsaFeatures.FirstKernel"/>).</summary>
public enum IsaFeature
{
    /// <summary>BPF-to-BPF calls (call with src_reg = BPF_PSEUDO_CALL).</summary>
    BpfToBpfCalls,
    /// <summary>BPF_JMP32 conditional jumps on the low 32 bits (ISA v3).</summary>
    Jump32,
    /// <summary>Bounded loops (back-edges the verifier walks to the bound).</summary>
    BoundedLoops,
    /// <summary>BPF_ATOMIC with BPF_FETCH, xchg and cmpxchg, and atomic and/or/xor (before: only BPF_XADD add).</summary>
    AtomicFetch,
    /// <summary>ISA v4 signed division and modulo (BPF_SDIV, BPF_SMOD: offset 1 on div/mod).</summary>
    SignedDivision,
    /// <summary>ISA v4 sign-extending move (BPF_MOVSX: mov with offset 8/16/32).</summary>
    SignExtendingMove,
    /// <summary>ISA v4 sign-extending load (BPF_LDX | BPF_MEMSX).</summary>
    SignExtendingLoad,
    /// <summary>ISA v4 unconditional byte swap (BPF_ALU64 | BPF_END).</summary>
    ByteSwap64,
    /// <summary>ISA v4 long jump (BPF_JMP32 | BPF_JA with a 32-bit offset in imm).</summary>
    LongJump,
    /// <summary>The 1M processed-instruction limit for privileged programs (4096 before).</summary>
    MillionInstructions,
    /// <summary>Helper callbacks (bpf_loop, bpf_for_each_map_elem: ld_imm64 with BPF_PSEUDO_FUNC).</summary>
    Callbacks,
}

/// <summary>The first kernel of each <see cref="IsaFeature"/>.</summary>
public static class IsaFeatures
{
    /// <summary>The first kernel release whose verifier accepts <paramref name="feature"/>.</summary>
    public static KernelVersion FirstKernel(IsaFeature feature) => feature switch
    {
        IsaFeature.BpfToBpfCalls => new(4, 16),
        IsaFeature.Jump32 => new(5, 1),
        IsaFeature.BoundedLoops => new(5, 3),
        IsaFeature.AtomicFetch => new(5, 12),
        IsaFeature.SignedDivision => new(6, 6),
        IsaFeature.SignExtendingMove => new(6, 6),
        IsaFeature.SignExtendingLoad => new(6, 6),
        IsaFeature.ByteSwap64 => new(6, 6),
        IsaFeature.LongJump => new(6, 6),
        IsaFeature.MillionInstructions => new(5, 2),
        IsaFeature.Callbacks => new(5, 13),
        _ => throw new System.ArgumentOutOfRangeException(nameof(feature)),
    };

    /// <summary>How a message names the feature.</summary>
    public static string Describe(IsaFeature feature) => feature switch
    {
        IsaFeature.BpfToBpfCalls => "BPF-to-BPF calls",
        IsaFeature.Jump32 => "32-bit conditional jumps (BPF_JMP32)",
        IsaFeature.BoundedLoops => "bounded loops",
        IsaFeature.AtomicFetch => "atomic fetch/exchange/compare-exchange (BPF_ATOMIC | BPF_FETCH)",
        IsaFeature.SignedDivision => "signed division (ISA v4 BPF_SDIV/BPF_SMOD)",
        IsaFeature.SignExtendingMove => "sign-extending moves (ISA v4 BPF_MOVSX)",
        IsaFeature.SignExtendingLoad => "sign-extending loads (ISA v4 BPF_MEMSX)",
        IsaFeature.ByteSwap64 => "unconditional byte swap (ISA v4 BPF_ALU64 | BPF_END)",
        IsaFeature.LongJump => "long jumps (ISA v4 gotol)",
        IsaFeature.MillionInstructions => "programs over 4096 instructions",
        IsaFeature.Callbacks => "helper callbacks (bpf_loop, bpf_for_each_map_elem)",
        _ => throw new System.ArgumentOutOfRangeException(nameof(feature)),
    };
}
