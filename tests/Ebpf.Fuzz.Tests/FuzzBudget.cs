namespace Ebpf.Fuzz.Tests;

/// <summary>How many inputs a fuzz test runs: the CI default, or another count from an environment variable for a longer
/// run (<c>EBPF_FUZZ_INPUTS=100000</c> for C# inputs, <c>EBPF_FUZZ_OBJECTS=200000</c> for mutated objects).</summary>
public static class FuzzBudget
{
    public const string CSharpInputsVariable = "EBPF_FUZZ_INPUTS";
    public const string ObjectsVariable = "EBPF_FUZZ_OBJECTS";
    /// <summary>CsCheck seed of a run: CI runs the same inputs every time (<see cref="CiSeed"/>); <c>EBPF_FUZZ_SEED=random</c>
    /// explores new ones (the failing seed is printed), another value replays that seed.</summary>
    public const string SeedVariable = "EBPF_FUZZ_SEED";
    public const string CiSeed = "asTnnMCcQgR2";

    public static int CSharpInputs => Read(CSharpInputsVariable, 5_000);
    public static int Objects => Read(ObjectsVariable, 10_000);
    public static string? Seed => Environment.GetEnvironmentVariable(SeedVariable) switch
    {
        null or "" => CiSeed,
        "random" => null,
        var s => s,
    };

    /// <summary>Two threads in CI (the machine's cores are shared); a longer run uses every core.</summary>
    public static int Threads => Math.Max(2, Environment.ProcessorCount);

    static int Read(string variable, int ciDefault)
        => int.TryParse(Environment.GetEnvironmentVariable(variable), out int n) && n > 0 ? n : ciDefault;
}
