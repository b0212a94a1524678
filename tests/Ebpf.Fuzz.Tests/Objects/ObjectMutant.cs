using CsCheck;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>A seed object and 1-3 mutations applied to it in order; <see cref="ToString"/> names it for a reproducer.</summary>
public sealed record ObjectMutant(int SeedIndex, ObjectMutation[] Mutations)
{
    public ObjectSeeds.Seed Seed => ObjectSeeds.All[SeedIndex % ObjectSeeds.All.Count];

    public byte[] Bytes()
    {
        var seed = Seed;
        var bytes = seed.Bytes;
        foreach (var m in Mutations) bytes = m.Apply(bytes, seed.Layout);
        return bytes;
    }

    /// <summary>The mutant <see cref="ToString"/> printed, e.g. <c>ours MapHash.bpf.o + SymbolField(1,2,3)</c>.</summary>
    public static ObjectMutant Parse(string text)
    {
        var parts = text.Split(" + ");
        int seed = ObjectSeeds.All.Select((s, i) => (s, i)).Single(x => x.s.Name == parts[0]).i;
        var mutations = parts.Skip(1).Select(p =>
        {
            var m = System.Text.RegularExpressions.Regex.Match(p, @"^(\w+)\((\d+),(\d+),(\d+)\)$");
            Assert.True(m.Success, $"not a mutation: {p}");
            return new ObjectMutation(Enum.Parse<ObjectMutation.Kind>(m.Groups[1].Value), uint.Parse(m.Groups[2].Value),
                uint.Parse(m.Groups[3].Value), uint.Parse(m.Groups[4].Value));
        }).ToArray();
        return new ObjectMutant(seed, mutations);
    }

    public override string ToString() => $"{Seed.Name} + {string.Join(" + ", Mutations.Select(m => m.ToString()))}";

    static readonly Gen<ObjectMutation> Mutation = Gen.Select(Gen.Enum<ObjectMutation.Kind>(), Gen.UInt, Gen.UInt[0, 1000], Gen.UInt[0, 1000],
        (kind, at, value, field) => new ObjectMutation(kind, at, value, field));

    public static readonly Gen<ObjectMutant> Any = Gen.Select(Gen.Int[0, 1000], Mutation.Array[1, 3], (seed, m) => new ObjectMutant(seed, m));
}
