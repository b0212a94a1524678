using Ebpf.Abi;
using Ebpf.Compiler.Codegen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Compiler.Pipeline;

/// <summary>Options of <see cref="BpfCompiler"/>.</summary>
public sealed class BpfCompilerOptions
{
    /// <summary>Path of the Ebpf kernel-API assembly (<c>Ebpf.dll</c>) probes compile against; by default the one
    /// next to the running application (<see cref="AppContext.BaseDirectory"/>).</summary>
    public string? EbpfAssemblyPath { get; init; }

    /// <summary>More assemblies to reference (beyond the running runtime's and the Ebpf API).</summary>
    public IReadOnlyList<string> References { get; init; } = Array.Empty<string>();

    /// <summary>Preprocessor symbols defined while parsing.</summary>
    public IReadOnlyList<string> PreprocessorSymbols { get; init; } = Array.Empty<string>();

    public LanguageVersion LanguageVersion { get; init; } = LanguageVersion.Latest;

    /// <summary>Adds the global usings of an SDK project with <c>ImplicitUsings</c> enabled (<c>System</c>,
    /// <c>System.IO</c>, <c>System.Linq</c>, ...), so probe files compile here as they do in their project.</summary>
    public bool ImplicitUsings { get; init; } = true;

    /// <summary>Print the intermediate form after this stage (<see cref="CompilerStages"/> or a codegen stage), or null.</summary>
    public CompilerDump? Dump { get; init; }

    /// <summary>Where tracefs is read at build time to check tracepoint record structs against the kernel's format
    /// (EBPF3103/EBPF3104); null turns the check off. Nothing is checked where the format is unreadable.</summary>
    public string? TracefsPath { get; init; } = "/sys/kernel/tracing";

    /// <summary>The oldest kernel the objects must load on (<c>--target-kernel</c>, MSBuild <c>EbpfTargetKernel</c>):
    /// helpers, program, map and attach types and instructions that kernel lacks are errors at their use
    /// (EBPF2303..EBPF2305). Null: no target, only what the newest kernel of the ABI table rejects.</summary>
    public KernelVersion? TargetKernel { get; init; }

    /// <summary>Rule IDs switched off (tests use this to show that the kernel rejects what a rule reports).</summary>
    public IReadOnlyCollection<string> DisabledRules { get; init; } = Array.Empty<string>();

    /// <summary>Rule IDs switched off in the source flow analysis only, leaving the compiler's IR backstop of the same
    /// ID on (tests use this to show the backstop refuses what the source rule reports).</summary>
    public IReadOnlyCollection<string> DisabledSourceRules { get; init; } = Array.Empty<string>();

    /// <summary>Compiles one method body; null = the code generator, <see cref="Codegen.FunctionCompiler"/>.</summary>
    public IFunctionCompiler? FunctionCompiler { get; init; }
}
