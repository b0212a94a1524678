namespace Ebpf.Compiler.Pipeline;

/// <summary>A request to print the intermediate form after one stage (<c>ebpf build --dump-after STAGE</c>).
/// The pipeline's own stages are <see cref="CompilerStages"/>; codegen names its stages itself and asks
/// <see cref="Wants"/> with those names.</summary>
public sealed class CompilerDump
{
    public CompilerDump(string stage, TextWriter writer)
    {
        Stage = stage;
        Writer = writer;
    }

    /// <summary>The stage after which to print (case-insensitive).</summary>
    public string Stage { get; }
    public TextWriter Writer { get; }
    /// <summary>Whether some stage matched <see cref="Stage"/> (so an unknown name can be reported).</summary>
    public bool Matched { get; private set; }

    /// <summary>Whether the form after <paramref name="stage"/> is wanted; a true answer marks the request served.</summary>
    public bool Wants(string stage)
    {
        if (!string.Equals(stage, Stage, StringComparison.OrdinalIgnoreCase)) return false;
        Matched = true;
        return true;
    }

    /// <summary>Prints <paramref name="text"/> under a header naming the stage and the subject (object or function).</summary>
    public void Write(string stage, string subject, string text)
    {
        Writer.WriteLine($"// ---- after {stage}: {subject} ----");
        Writer.Write(text);
        if (!text.EndsWith('\n')) Writer.WriteLine();
    }
}

/// <summary>Names of the pipeline's stages, in order, for <see cref="CompilerDump"/>.</summary>
public static class CompilerStages
{
    /// <summary>The object models: programs with sections, maps, globals with offsets.</summary>
    public const string Discovery = "discovery";
    /// <summary>The reachable methods and their calls.</summary>
    public const string CallGraph = "callgraph";
    /// <summary>Each function's final BPF instructions with relocations.</summary>
    public const string Codegen = "codegen";
    /// <summary>The object's BTF, as <c>bpftool btf dump</c> prints it.</summary>
    public const string Btf = "btf";
    /// <summary>The assembled object: maps, data sections, programs with disassembly.</summary>
    public const string Object = "object";

    public static readonly IReadOnlyList<string> All = new[] { Discovery, CallGraph, Codegen, Btf, Object };
}
