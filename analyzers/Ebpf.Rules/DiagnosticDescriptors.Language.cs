using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// Diagnostics of the code generator's lowering of the C# subset (src/Ebpf.Compiler/Frontend).
public static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor LocalFunctionCapture = Create("EBPF1906",
        "Local function or callback captures a variable",
        "'{0}' captures '{1}'; a local function or helper callback compiled to eBPF takes everything it uses as parameters (make it static)");

    public static readonly DiagnosticDescriptor NestingTooDeep = Create("EBPF1907",
        "Code nested too deeply",
        "This {0} is nested more than {1} levels deep; split it into smaller methods or local variables");

    public static readonly DiagnosticDescriptor CallbackNotStatic = Create("EBPF1908",
        "Helper callback is not a static lambda or method group",
        "The callback of '{0}' must be a static lambda or a static method of the object (it becomes a BPF subprogram)");
}
