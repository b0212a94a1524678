using System.Collections.Immutable;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Diagnostics;

public class ReadOnlyGlobalSuppressorTests
{
    [Fact]
    public async Task Suppresses_CS0649_only_on_rodata_globals_of_bpf_objects()
    {
        var compilation = TestCompilations.Create("""
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly uint TargetPid;
                static readonly HashMap<uint, ulong> Unset;
                [Xdp] static XdpAction Run(XdpContext ctx) => TargetPid == 0 && Unset != null ? XdpAction.Pass : XdpAction.Drop;
            }
            public static class Plain
            {
                static readonly uint NotAGlobal;
                public static uint Get() => NotAGlobal;
            }
            """);
        var withSuppressor = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ReadOnlyGlobalSuppressor()),
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false,
                logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));
        var cs0649 = (await withSuppressor.GetAllDiagnosticsAsync()).Where(d => d.Id == "CS0649")
            .ToDictionary(d => d.GetMessage().Split('\'')[1], d => d.IsSuppressed);
        Assert.Equal(new Dictionary<string, bool>
        {
            ["Probe.TargetPid"] = true,
            ["Probe.Unset"] = false,
            ["Plain.NotAGlobal"] = false,
        }, cs0649);
    }
}
