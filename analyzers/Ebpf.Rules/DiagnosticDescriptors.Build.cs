using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// Diagnostics of the build integration (msbuild/Ebpf.Sdk, the build server, `ebpf build --request`).
// EBPF41xx: project settings the eBPF step cannot use, and the compiler process itself.
public static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor UnknownLanguageVersion = Create("EBPF4101",
        "Unknown C# language version",
        "Unknown C# language version '{0}' (LangVersion): expected latest, preview, default or a number such as 13.0");

    public static readonly DiagnosticDescriptor UnknownNullableSetting = Create("EBPF4102",
        "Unknown Nullable setting",
        "Unknown Nullable setting '{0}': expected enable, disable, warnings or annotations");

    public static readonly DiagnosticDescriptor CompilerUnreachable = Create("EBPF4104",
        "The eBPF compiler could not be run",
        "The eBPF compiler could not be run: {0}");

    // Reported by the build task itself (it does not load Roslyn), with this ID and message.
    public static readonly DiagnosticDescriptor UnknownVerifySetting = Create("EBPF4105",
        "Unknown EbpfVerify setting",
        "EbpfVerify must be auto, true or false, not '{0}'");
}
