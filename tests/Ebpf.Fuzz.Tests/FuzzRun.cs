using CsCheck;

namespace Ebpf.Fuzz.Tests;

/// <summary>Runs a fuzz check over generated inputs as <see cref="FuzzBudget.Seed"/> says: in CI the same inputs every
/// run (one seed per input, derived from the CI seed, so a failure in CI fails again on any machine); with
/// <c>EBPF_FUZZ_SEED=random</c> new inputs through CsCheck's sampler, which shrinks a failure; with a seed printed by
/// either, that one input again.</summary>
/// <remarks>CsCheck's own <c>seed</c> argument fixes only the first iteration of a sample, the rest are random: a fixed
/// CI run needs its inputs generated from seeds of its own.</remarks>
public static class FuzzRun
{
    public static void Each<T>(Gen<T> gen, int count, Action<T> check)
    {
        switch (FuzzBudget.Seed)
        {
            case null:
                gen.Sample(check, iter: count, threads: FuzzBudget.Threads);
                break;
            case var seed when seed != FuzzBudget.CiSeed:
                Replay(gen, seed, check);
                break;
            case var ciSeed:
                var root = PCG.Parse(ciSeed);
                var seeds = Enumerable.Range(0, count).Select(_ => root.ToString(root.Next64())).ToArray();
                Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = FuzzBudget.Threads }, s => Replay(gen, s, check));
                break;
        }
    }

    /// <summary>The input of <paramref name="seed"/> through <paramref name="check"/>; a failure names the seed.</summary>
    static void Replay<T>(Gen<T> gen, string seed, Action<T> check)
    {
        var input = gen.Generate(PCG.Parse(seed), null!, out _);
        try
        {
            check(input);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{FuzzBudget.SeedVariable}={seed} replays this input.\n{e.Message}");
        }
    }
}
