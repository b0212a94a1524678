using Ebpf.Object;
using Xunit.Abstractions;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Replays mutants a fuzz run printed (<c>EBPF_FUZZ_REPLAY="ours MapHash.bpf.o + SymbolField(1,2,3)|..."</c>)
/// and shows what the reader says, with the whole inner exception of a catch-all refusal.</summary>
public class ReplayTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Replay_the_mutants_named_in_EBPF_FUZZ_REPLAY()
    {
        var replay = Environment.GetEnvironmentVariable("EBPF_FUZZ_REPLAY");
        Skip.If(string.IsNullOrEmpty(replay), "EBPF_FUZZ_REPLAY names no mutants");
        foreach (var text in replay!.Split('|'))
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
