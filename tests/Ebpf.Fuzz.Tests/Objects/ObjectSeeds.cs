using Ebpf.Compiler.Pipeline;
using Ebpf.TestSupport;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Valid objects to mutate: clang's (maps, globals, sub-programs, CO-RE relocations, a ring buffer, tail calls,
/// .rodata strings; all with BTF and .BTF.ext), compiled at test time, and ours (corpus probes and the samples' probes
/// through our compiler).</summary>
public static class ObjectSeeds
{
    public sealed record Seed(string Name, byte[] Bytes, SeedLayout Layout);

    public static IReadOnlyList<Seed> All => Lazy.Value;

    static readonly string[] ClangSources = ["maps_globals.c", "core_task.c", "tail_calls.c"];

    /// <summary>Probes of the compiler tests' corpus with maps of several shapes, data sections and several program kinds.</summary>
    static readonly string[] OurProbes =
    [
        "Seeds/Corpus/MapHash.cs", "Seeds/Corpus/MapRingBuffer.cs", "Seeds/Corpus/MapArrayOfMaps.cs", "Seeds/Corpus/MapProgramArray.cs",
        "Seeds/Corpus/TracepointOpenat.cs", "Seeds/Corpus/MapLpmTrie.cs",
    ];

    static readonly Lazy<IReadOnlyList<Seed>> Lazy = new(() =>
    {
        var seeds = new List<Seed>();
        foreach (var c in ClangSources)
        {
            var path = ClangBpf.CompileFile(Path.Combine(AppContext.BaseDirectory, "Objects", "Seeds", c));
            seeds.Add(Make("clang " + c, File.ReadAllBytes(path)));
        }
        var sources = OurProbes.Select(p => (File.ReadAllText(Path.Combine(AppContext.BaseDirectory, p)), Path.GetFileName(p)))
            .Append((File.ReadAllText(RepoPaths.Combine("samples", "OpenCounter", "OpenCounter.Probe.cs")), "OpenCounter.Probe.cs"))
            .Append((File.ReadAllText(RepoPaths.Combine("samples", "XdpFilter", "XdpFilter.Probe.cs")), "XdpFilter.Probe.cs"));
        foreach (var source in sources)
        {
            var result = BpfCompiler.CompileSources([source]);
            Assert.True(result.Success, $"seed {source.Item2} does not compile:\n" + string.Join("\n", result.Diagnostics));
            foreach (var o in result.Objects) seeds.Add(Make("ours " + o.FileName, o.Elf));
        }
        return seeds;
    });

    static Seed Make(string name, byte[] bytes) => new(name, bytes, SeedLayout.Of(bytes));
}
