using System.Runtime.InteropServices;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>C# probe source compiled by the whole pipeline (discovery, this code generator, BTF, ELF
/// layout) and loaded into the running kernel with Ebpf.Runtime, so the kernel verifier checks the
/// generated code and BPF_PROG_TEST_RUN executes it.</summary>
public sealed class LoadedProbe : IDisposable
{
    LoadedProbe(ObjectSpec spec, Collection collection)
    {
        Spec = spec;
        Collection = collection;
    }

    public ObjectSpec Spec { get; }
    public Collection Collection { get; }

    /// <summary>Compiles and loads; <paramref name="configure"/> may edit the spec first (set .rodata values).</summary>
    public static LoadedProbe Load(string source, string path = "Probe.cs", Action<ObjectSpec>? configure = null, FunctionCompilerOptions? codegen = null)
    {
        var options = new BpfCompilerOptions { FunctionCompiler = new FunctionCompiler(codegen ?? FunctionCompilerOptions.Default) };
        var result = BpfCompiler.CompileSources(new[] { (source, path) }, options);
        Assert.True(result.Success, "compilation failed:\n" + string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;
        configure?.Invoke(spec);
        return new LoadedProbe(spec, Collection.Load(spec));
    }

    public Runtime.Program Program(string name) => Collection.Programs[name];

    /// <summary>Runs an XDP program on <paramref name="packet"/> and returns its verdict.</summary>
    public uint RunXdp(string program, byte[] packet) => Program(program).TestRun(packet).ReturnValue;

    /// <summary>The current value of a global variable (read from its data-section map).</summary>
    public T Global<T>(string name) where T : unmanaged
    {
        var variable = Spec.FindVariable(name);
        var value = Collection.Maps[variable.Section.Name].Lookup(new byte[4]) ?? throw new InvalidOperationException($"no value in {variable.Section.Name}");
        return MemoryMarshal.Read<T>(value.AsSpan((int)variable.Offset, Marshal.SizeOf<T>()));
    }

    public void Dispose() => Collection.Dispose();
}
