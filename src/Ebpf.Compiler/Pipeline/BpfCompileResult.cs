using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Pipeline;

/// <summary>One compiled <c>[BpfObject]</c> class: its <see cref="ObjectSpec"/> and the ELF bytes of <c>&lt;ClassName&gt;.bpf.o</c>.</summary>
public sealed record CompiledObject(string ClassName, ObjectSpec Spec, byte[] Elf)
{
    /// <summary>The object's file name, <c>&lt;ClassName&gt;.bpf.o</c>.</summary>
    public string FileName => ClassName + ".bpf.o";
}

/// <summary>What <see cref="BpfCompiler"/> produced: the objects (none when any error was reported) and
/// every diagnostic (C# errors, EBPFnnnn), sorted by file and position.</summary>
public sealed class BpfCompileResult
{
    public BpfCompileResult(IReadOnlyList<CompiledObject> objects, IReadOnlyList<Diagnostic> diagnostics)
    {
        Objects = objects;
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<CompiledObject> Objects { get; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
    public bool Success => !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
