using Ebpf.TestSupport;

namespace Ebpf.Fuzz.Tests.CSharp;

/// <summary>Valid probes to mutate: the compiler tests' corpus (one probe per program and map kind) and the samples' probes.</summary>
public static class SeedProbes
{
    public sealed record Probe(string Name, string Source);

    public static IReadOnlyList<Probe> All => Lazy.Value;

    static readonly Lazy<IReadOnlyList<Probe>> Lazy = new(() =>
    {
        var corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seeds", "Corpus"), "*.cs", SearchOption.AllDirectories);
        var samples = Directory.GetFiles(RepoPaths.Combine("samples"), "*.Probe.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var probes = corpus.Concat(samples).Order(StringComparer.Ordinal)
            .Select(p => new Probe(Path.GetFileName(p), File.ReadAllText(p))).ToList();
        Assert.True(probes.Count > 50, $"expected the probe corpus beside the tests, found {probes.Count} probes");
        return probes;
    });
}
