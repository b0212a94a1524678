using Ebpf.Object;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Instruction counts of the samples against clang -O2 (mcpu=v3) compiling the equivalent C of the
/// code bench (bench/codegen/probes). The counts are printed, not asserted: bench/codegen/run.sh measures them
/// against the kernel, and the golden snapshots pin our exact code.</summary>
public class CodegenReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("OpenCounter", "open_counter", "OnOpenat")]
    [InlineData("XdpFilter", "xdp_filter", "Filter")]
    public void Sample_compiles_and_its_size_is_reported_next_to_clang(string sample, string bench, string program)
    {
        var source = File.ReadAllText(RepoPaths.Combine("samples", sample, sample + ".Probe.cs"));
        var ours = CodegenHarness.Compile(source, sample + ".Probe.cs");
        Assert.Empty(ours.Errors);
        var function = ours.Function(program);

        var reference = CompileReference(bench);
        var theirs = reference.Programs.Single(p => p.Name == program);

        output.WriteLine($"{sample}.{program}: ours {function.Instructions.Count} instructions / {CodegenHarness.SlotCount(function)} slots, " +
                         $"clang -O2 -mcpu=v3 {theirs.Instructions.Count} instructions / {theirs.Instructions.Sum(i => i.Slots)} slots");
        output.WriteLine("ours:\n" + CodegenHarness.Disassembly(function));
        output.WriteLine("clang:\n" + Ebpf.Compiler.Codegen.FunctionCompiler.Listing(theirs.Instructions));
    }

    static ObjectSpec CompileReference(string bench) =>
        ElfObjectReader.ReadFile(ClangBpf.CompileFile(RepoPaths.Combine("bench", "codegen", "probes", bench + ".bpf.c"), "-mcpu=v3"));
}
