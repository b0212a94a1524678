using CsCheck;
using Ebpf.Object;
using Xunit.Abstractions;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Replays mutants a fuzz run printed (<c>EBPF_FUZZ_REPLAY="ours MapHash.bpf.o + SymbolField(1,2,3)|..."</c>)
/// and shows what the reader says, with the whole inner exception of a catch-all refusal. Without the variable it replays
/// generated mutants through their printed names, which must give back the same bytes (a printed reproducer is exact).</summary>
public class ReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Replay_the_mutants_named_in_EBPF_FUZZ_REPLAY_or_printed_names_of_generated_ones()
    {
        var replay = Environment.GetEnvironmentVariable("EBPF_FUZZ_REPLAY");
        if (string.IsNullOrEmpty(replay))
        {
            ObjectMutant.Any.Sample(mutant =>
            {
                var again = ObjectMutant.Parse(mutant.ToString());
                Assert.Equal(mutant.Bytes(), again.Bytes());
            }, iter: 200, seed: "0N0XIzNsQ0O2");
            replay = string.Join("|", ObjectMutant.Any.Array[3].Single().Select(m => m.ToString()));
        }
        foreach (var text in replay.Split('|'))
        {
            output.WriteLine(text);
            try
            {
                var spec = ElfObjectReader.Read(ObjectMutant.Parse(text).Bytes(), "x.o");
                output.WriteLine("  read");
                try { Ebpf.Compiler.Output.ObjectPrinter.Print(spec, new Ebpf.Compiler.Output.ObjectPrinter.Options()); }
                catch (Exception e) { output.WriteLine("  the dump printer threw " + e); }
            }
            catch (ObjectFormatException e)
            {
                output.WriteLine("  " + e.Message);
                if (e.InnerException is { } inner) output.WriteLine(inner.ToString());
            }
        }
    }
}
