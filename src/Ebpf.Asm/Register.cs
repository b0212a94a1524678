namespace Ebpf.Asm;

/// <summary>An eBPF register. R0 holds return values, R1-R5 arguments (clobbered by calls),
/// R6-R9 are callee-saved, R10 is the read-only frame pointer.</summary>
public enum Register : byte
{
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10,
}
