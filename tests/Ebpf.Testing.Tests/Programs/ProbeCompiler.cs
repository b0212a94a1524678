using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.TestSupport;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Compiles C# probes with our compiler (the whole pipeline, in memory) into the object the interpreter loads.</summary>
public static class ProbeCompiler
{
    public static ObjectSpec Compile(string source, string path = "Probe.cs")
        => Compile(new[] { (source, path) });

    /// <summary>Compiles repository files (a sample's probe source).</summary>
    public static ObjectSpec CompileRepoFile(params string[] relativePath)
        => Compile(new[] { (File.ReadAllText(RepoPaths.Combine(relativePath)), relativePath[^1]) });

    static ObjectSpec Compile(IEnumerable<(string Text, string Path)> sources)
    {
        var result = BpfCompiler.CompileSources(sources);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }
}
