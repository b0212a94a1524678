using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// Diagnostics of the code generator (src/Ebpf.Compiler: Frontend, Passes, Backend, Codegen).
// EBPF19xx: constructs inside the C# subset that the code generator cannot lower yet.
// EBPF21xx: verifier-safety problems the code generator detects before the kernel would.
public static partial class DiagnosticDescriptors
{
    // ---- EBPF19xx: not supported by the code generator yet ------------------------------------

    public static readonly DiagnosticDescriptor CodegenUnsupportedConstruct = Create("EBPF1901",
        "Construct not supported by the code generator yet",
        "Not supported by the code generator yet: {0}");

    public static readonly DiagnosticDescriptor CodegenUnsupportedCall = Create("EBPF1902",
        "Call not supported by the code generator yet",
        "Not supported by the code generator yet: the call to '{0}' ({1})");

    public static readonly DiagnosticDescriptor CodegenUnsupportedType = Create("EBPF1903",
        "Type not supported by the code generator yet",
        "Not supported by the code generator yet: a value of type '{0}' {1}");

    public static readonly DiagnosticDescriptor NonExhaustiveSwitchExpression = Create("EBPF1904",
        "switch expression may not match",
        "This switch expression throws in .NET when no arm matches, and eBPF cannot throw: add a discard arm '_ => ...'");

    public static readonly DiagnosticDescriptor MapMethodReceiver = Create("EBPF1905",
        "Map method called on something other than a map field",
        "'{0}' must be called on a map field of the [BpfObject] class (the map is an ld_imm64 of the map itself), or on an inner map that a map of maps' Lookup returned into a local");

    // ---- EBPF21xx: verifier safety detected by the code generator ------------------------------

    public static readonly DiagnosticDescriptor ContextPointerArithmetic = Create("EBPF2101",
        "Context pointer used as an address",
        "'{0}' needs the address of a context field, but the verifier only accepts the unmodified context pointer (loads at ctx + constant); read the field's value instead");

    public static readonly DiagnosticDescriptor TooManyCallArguments = Create("EBPF2102",
        "More than five arguments in a BPF call",
        "'{0}' is called with {1} arguments; BPF calls pass at most five (R1-R5): group arguments in a struct passed by 'in' or 'ref'");

    public static readonly DiagnosticDescriptor KernelMemoryDereference = Create("EBPF2105",
        "Kernel or user memory read directly",
        "'{0}' dereferences a kernel or user pointer, which the verifier sees as a plain number: read it with Bpf.ProbeReadKernel or Bpf.ProbeReadUser");

    public static readonly DiagnosticDescriptor UnalignedStackAccess = Create("EBPF2104",
        "Misaligned field of a stack variable",
        "Field '{0}' is at offset {1}, not a multiple of its size {2}: the verifier rejects misaligned stack accesses; reorder the struct's fields or drop Pack");
}
