using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Every program whose disassembly is golden in <see cref="CodegenSnapshotTests"/> is also
/// accepted by the kernel verifier (loaded through the whole pipeline with Ebpf.Runtime).</summary>
public class ProgramKernelTests
{
    public static IEnumerable<object[]> ProgramNames => CodegenSnapshotTests.ProgramNames;

    [SkippableTheory]
    [MemberData(nameof(ProgramNames))]
    public void Golden_program_is_accepted_by_the_verifier(string name)
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(CodegenSnapshotTests.ProgramSource(name), name + ".cs");
        Assert.NotEmpty(probe.Collection.Programs);
    }
}
