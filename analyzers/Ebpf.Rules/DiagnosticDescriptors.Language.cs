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
        "This code is nested too deeply to compile ({0}); split it with local variables or into smaller methods");

    public static readonly DiagnosticDescriptor CallbackNotStatic = Create("EBPF1908",
        "Helper callback is not a static lambda or method group",
        "The callback of '{0}' must be a static lambda or a static method of the object (it becomes a BPF subprogram)");
}
