using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// Diagnostics of the kernel ABI rules (analyzers/Ebpf.Rules/Helpers): helpers against the license and
// the program type, and everything newer than the target kernel. EBPF23xx. Facts from src/Ebpf.Abi.
public static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor GplOnlyHelper = Create("EBPF2301",
        "GPL-only helper under a license that is not GPL-compatible",
        "'{0}' calls {1}, which the kernel offers only to GPL-compatible programs, but the object's license is \"{2}\": the verifier refuses the load (\"cannot call GPL-restricted function\"); use a GPL-compatible license (\"GPL\", \"Dual BSD/GPL\", \"Dual MIT/GPL\", ...) or do without the helper");

    public static readonly DiagnosticDescriptor HelperNotForProgramType = Create("EBPF2302",
        "Helper not available to the program type",
        "'{0}' calls {1}, which the kernel does not offer to {2} programs (the verifier answers \"unknown func {1}#{3}\"); call it from a program type that has it, or use another helper");

    public static readonly DiagnosticDescriptor HelperNewerThanTarget = Create("EBPF2303",
        "Helper newer than the target kernel",
        "'{0}' calls {1}, which {2}; the target kernel is {3}: raise the target (EbpfTargetKernel, --target-kernel) or do without the helper");

    public static readonly DiagnosticDescriptor KernelTypeNewerThanTarget = Create("EBPF2304",
        "Program, map or attach type newer than the target kernel",
        "{0} needs Linux {1}; the target kernel is {2}: raise the target (EbpfTargetKernel, --target-kernel) or use another type");

    public static readonly DiagnosticDescriptor IsaFeatureNewerThanTarget = Create("EBPF2305",
        "Instruction newer than the target kernel",
        "'{0}' compiles to {1}, which the verifier accepts since Linux {2}; the target kernel is {3}: raise the target or rewrite without it");

    public static readonly DiagnosticDescriptor InvalidTargetKernel = Create("EBPF2306",
        "Invalid target kernel",
        "The target kernel '{0}' is not a kernel version: give MAJOR.MINOR, such as 6.1");

    /// <summary>The kernel ABI rules (the IDE analyzer reports these; the compiler too).</summary>
    internal static DiagnosticDescriptor[] HelperRules => new[]
    {
        GplOnlyHelper, HelperNotForProgramType, HelperNewerThanTarget, KernelTypeNewerThanTarget, IsaFeatureNewerThanTarget, InvalidTargetKernel,
    };
}
