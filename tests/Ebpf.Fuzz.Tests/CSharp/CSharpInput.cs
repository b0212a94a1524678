using CsCheck;
using Ebpf.Compiler.Tests.Language;

namespace Ebpf.Fuzz.Tests.CSharp;

/// <summary>A fuzz input: a base source (a generated probe, or a probe of the corpus or the samples) and token
/// mutations applied to it. <see cref="ToString"/> names it so a failure can be replayed.</summary>
public sealed record CSharpInput(CSharpInput.Origin From, int Seed, ProgramGenerator.Shape Shape, TokenMutation[] Mutations)
{
    public enum Origin { Generated, SeedProbe }

    public string Source()
    {
        var source = From == Origin.Generated
            ? ProgramGenerator.Generate(Seed, Shape, full: false)
            : SeedProbes.All[Seed % SeedProbes.All.Count].Source;
        foreach (var m in Mutations) source = m.Apply(source);
        return source;
    }

    public override string ToString()
        => (From == Origin.Generated ? $"generated seed {Seed} {Shape}" : $"probe {SeedProbes.All[Seed % SeedProbes.All.Count].Name}")
           + (Mutations.Length == 0 ? "" : ", mutations " + string.Join(", ", Mutations.Select(m => $"{m.Edit}@{m.At}/{m.Other}")));

    static readonly Gen<TokenMutation> Mutation = Gen.Select(Gen.Enum<TokenMutation.Kind>(), Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20],
        (kind, at, other) => new TokenMutation(kind, at, other));

    static readonly Gen<ProgramGenerator.Shape> Shapes = Gen.Frequency(
        (90, Gen.Const(ProgramGenerator.Shape.Random)),
        (3, Gen.Const(ProgramGenerator.Shape.DeepExpression)),
        (3, Gen.Const(ProgramGenerator.Shape.DeepParentheses)),
        (2, Gen.Const(ProgramGenerator.Shape.DeepBlocks)),
        (2, Gen.Const(ProgramGenerator.Shape.DeepIfs)),
        (1, Gen.Const(ProgramGenerator.Shape.HugeMethod)));

    /// <summary>A third generated probes as they are (mostly inside the subset, some outside it), a third generated
    /// probes with 1-4 token edits, a third the corpus and sample probes with 0-4 edits (broken syntax).</summary>
    public static readonly Gen<CSharpInput> Any = Gen.Frequency(
        (1, Gen.Select(Gen.Int[0, int.MaxValue], Shapes, (seed, shape) => new CSharpInput(Origin.Generated, seed, shape, []))),
        (1, Gen.Select(Gen.Int[0, int.MaxValue], Mutation.Array[1, 4],
            (seed, m) => new CSharpInput(Origin.Generated, seed, ProgramGenerator.Shape.Random, m))),
        (1, Gen.Select(Gen.Int[0, int.MaxValue], Mutation.Array[0, 4],
            (seed, m) => new CSharpInput(Origin.SeedProbe, seed, ProgramGenerator.Shape.Random, m))));
}
