using System.Collections.Concurrent;
using CsCheck;
using Ebpf.Compiler.Pipeline;

namespace Ebpf.Runtime.Tests.Malformed;

/// <summary>10,000 mutated objects (bit flips, truncations, rewritten header and table fields) of clang-built and
/// our compiler's objects go through the object reader, and those it accepts through the loader: every failure is a
/// typed error with a one-line message that names no .NET exception type.</summary>
public class MutatedObjectTests
{
    static readonly Lazy<byte[][]> Seeds = new(() =>
    [
        .. new[] { "scenarios", "events", "counter" }.Select(name =>
            File.ReadAllBytes(ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", name + ".bpf.c")))),
        OurObject(),
    ]);

    static byte[] OurObject()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Scenarios", "ScenarioProbe.cs.txt");
        var result = BpfCompiler.CompileSources([(File.ReadAllText(path), "ScenarioProbe.cs")]);
        return result.Objects.Single().Elf;
    }

    /// <summary>One mutation of a seed object.</summary>
    public sealed record Mutation(int Seed, int Kind, int Position, uint Value)
    {
        public byte[] Apply(byte[][] seeds)
        {
            var bytes = (byte[])seeds[Seed].Clone();
            int at = (int)((uint)Position % (uint)bytes.Length);
            switch (Kind)
            {
                case 0:                                                    // bit flip anywhere
                    bytes[at] ^= (byte)(1 << (int)(Value % 8));
                    return bytes;
                case 1:                                                    // truncation
                    return bytes[..at];
                case 2:                                                    // a 32-bit field of the ELF or section headers rewritten
                {
                    ulong shoff = BitConverter.ToUInt64(bytes, 0x28);
                    int region = at % 2 == 0 || shoff >= (ulong)bytes.Length ? at % 64 : (int)(shoff + (ulong)(at % Math.Max(1, bytes.Length - (int)shoff)));
                    region = Math.Min(region & ~3, bytes.Length - 4);
                    BitConverter.TryWriteBytes(bytes.AsSpan(region), Value);
                    return bytes;
                }
                default:                                                   // a byte of the file's last quarter (symbols, strings, BTF) rewritten
                    bytes[bytes.Length - 1 - at % Math.Max(1, bytes.Length / 4)] = (byte)Value;
                    return bytes;
            }
        }
    }

    static readonly Gen<Mutation> Mutations =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.UInt, (s, k, p, v) => new Mutation(s, k, p, v));

    [SkippableFact]
    public void Ten_thousand_mutated_objects_fail_only_with_typed_one_line_errors()
    {
        Kernel.RequireBpf();
        var seeds = Seeds.Value;
        var parsed = new ConcurrentQueue<(Mutation, ObjectSpec)>();
        int rejected = 0;
        Mutations.Sample(m =>
        {
            var bytes = m.Apply(seeds);
            try
            {
                parsed.Enqueue((m, ElfObjectReader.Read(bytes, "mutant.o")));
            }
            catch (ObjectFormatException e)
            {
                Interlocked.Increment(ref rejected);
                AssertOneLineWithoutTypeNames(e.Message, m);
            }
        }, iter: 10_000, seed: "0N0XIzNsQ0O2");

        // The loader takes what the reader accepted (up to 40, so the verifier's share stays small).
        int loaded = 0, refused = 0;
        foreach (var (m, spec) in parsed.Take(40))
        {
            try
            {
                using var c = Collection.Load(spec, new CollectionOptions { ObjectName = "mutant", Programs = new ProgramOptions { LogLevel = 0 } });
                loaded++;
            }
            catch (Exception e) when (e is BpfException or LoadException or BtfLoadException or ObjectFormatException or MapMismatchException)
            {
                refused++;
                AssertOneLineWithoutTypeNames(e.Message.Split('\n')[0], m);
            }
        }
        Assert.Equal(10_000, rejected + parsed.Count);
        Assert.True(rejected > 1000, $"only {rejected} of 10,000 mutants were rejected: the mutations are too gentle to test anything");
        Assert.True(loaded + refused > 0);
    }

    static void AssertOneLineWithoutTypeNames(string message, Mutation m)
    {
        Assert.False(message.Contains('\n'), $"{m}: multi-line error: {message}");
        Assert.False(message.Contains("Exception", StringComparison.Ordinal), $"{m}: error names a .NET exception type: {message}");
        Assert.False(message.Contains("System.", StringComparison.Ordinal), $"{m}: error names a .NET type: {message}");
    }
}
