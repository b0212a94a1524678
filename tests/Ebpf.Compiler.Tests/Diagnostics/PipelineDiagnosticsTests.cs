using Ebpf.Compiler.Pipeline;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>The same cases as <see cref="SubsetAnalyzerTests"/>, through the whole compiler (with the real code
/// generator): the same IDs at the same spans, reported as diagnostics and never as a crash.</summary>
public class PipelineDiagnosticsTests
{
    [Theory]
    [MemberData(nameof(SubsetAnalyzerTests.Cases), MemberType = typeof(SubsetAnalyzerTests))]
    public void The_compiler_reports_the_rules_like_the_analyzer(string name, string body, string members)
    {
        _ = name;
        var markup = Markup.Parse(SubsetAnalyzerTests.Probe(body, members));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") });
        Assert.Empty(result.Objects);
        markup.AssertMatches(result.Diagnostics);
    }

    [Fact]
    public void The_subset_itself_compiles_to_an_object()
    {
        var markup = Markup.Parse(SubsetAnalyzerTests.Probe("""
            uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
            ref ulong count = ref Counts.Lookup(pid);
            if (Unsafe.IsNullRef(ref count)) Counts.Update(pid, 1, MapUpdate.NoExist);
            else Interlocked.Increment(ref count);
            Interlocked.Add(ref Total, 2);
            """));
        var result = BpfCompiler.CompileSources(new[] { (markup.Source, "Probe.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal("Probe", Assert.Single(result.Objects).ClassName);
    }
}
