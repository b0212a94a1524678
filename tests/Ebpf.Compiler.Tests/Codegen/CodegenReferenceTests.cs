using Ebpf.Object;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Instruction counts of the samples against clang -O2 (mcpu=v3) compiling the equivalent C
/// in Reference/. The counts are printed, not asserted: the goal is to stay at or under clang's,
/// and the golden snapshots pin our exact code.</summary>
public class CodegenReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("OpenCounter", "OnOpenat")]
    [InlineData("XdpFilter", "Filter")]
    public void Sample_compiles_and_its_size_is_reported_next_to_clang(string sample, string program)
    {
        var source = File.ReadAllText(RepoPaths.Combine("samples", sample, sample + ".Probe.cs"));
        var ours = CodegenHarness.Compile(source, sample + ".Probe.cs");
        Assert.Empty(ours.Errors);
        var function = ours.Function(program);

        var reference = CompileReference(sample);
        var theirs = reference.Programs.Single(p => p.Name == program);

        output.WriteLine($"{sample}.{program}: ours {function.Instructions.Count} instructions / {CodegenHarness.SlotCount(function)} slots, " +
                         $"clang -O2 -mcpu=v3 {theirs.Instructions.Count} instructions / {theirs.Instructions.Sum(i => i.Slots)} slots");
        output.WriteLine("ours:\n" + CodegenHarness.Disassembly(function));
        output.WriteLine("clang:\n" + Ebpf.Compiler.Codegen.FunctionCompiler.Listing(theirs.Instructions));
    }

    static ObjectSpec CompileReference(string sample) =>
        ElfObjectReader.ReadFile(ClangBpf.CompileFile(Path.Combine(Path.GetDirectoryName(ThisFile())!, "Reference", sample + ".c"), "-mcpu=v3"));

    static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
