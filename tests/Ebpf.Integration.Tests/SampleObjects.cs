using System.Collections.Concurrent;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.TestSupport;

namespace Ebpf.Integration.Tests;

/// <summary>The samples' probes compiled by our compiler (once per test run), as the CLI would.</summary>
public static class SampleObjects
{
    static readonly ConcurrentDictionary<string, Lazy<CompiledObject>> Cache = new();

    /// <summary>Compiles samples/NAME/NAME.Probe.cs and returns the object for class NAME, with a fresh,
    /// editable ObjectSpec parsed back from the ELF bytes (so every test goes through our ELF reader).</summary>
    public static (ObjectSpec Spec, byte[] Elf) Compile(string name)
    {
        var compiled = Cache.GetOrAdd(name, n => new Lazy<CompiledObject>(() => CompileSample(n))).Value;
        return (ElfObjectReader.Read(compiled.Elf), compiled.Elf);
    }

    /// <summary>Writes the sample's object to a fresh temporary directory and returns its path.</summary>
    public static string WriteToTemp(string name)
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-sample-").FullName;
        var path = Path.Combine(dir, name + ".bpf.o");
        File.WriteAllBytes(path, Compile(name).Elf);
        return path;
    }

    static CompiledObject CompileSample(string name)
    {
        var source = RepoPaths.Combine("samples", name, name + ".Probe.cs");
        var result = BpfCompiler.CompileFiles([source]);
        if (!result.Success)
            throw new InvalidOperationException($"compiling {source} failed:\n" + string.Join("\n", result.Errors));
        return result.Objects.Single(o => o.ClassName == name);
    }
}
