using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>BTF line info: one record where the source position changes, the first at slot 0, offsets
/// strictly increasing (the kernel's rules), each pointing at the C# line it came from.</summary>
public class LineInfoTests
{
    static readonly string Path = "samples/OpenCounter/OpenCounter.Probe.cs";

    [Fact]
    public void Records_follow_the_kernel_rules_and_point_at_the_source_lines()
    {
        var source = File.ReadAllText(RepoPaths.Combine(Path));
        var lines = source.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var f = CodegenHarness.Compile(source, Path).Function("OnOpenat");
        var infos = f.LineInfos;

        Assert.NotEmpty(infos);
        Assert.Equal(0, infos[0].InstructionOffset);
        for (int i = 1; i < infos.Count; i++) Assert.True(infos[i].InstructionOffset > infos[i - 1].InstructionOffset, $"record {i} does not advance");
        Assert.True(infos[^1].InstructionOffset < CodegenHarness.SlotCount(f));
        foreach (var info in infos)
        {
            Assert.Equal(Path, info.FileName);
            Assert.Equal(lines[info.Line - 1], info.LineText);
            Assert.InRange(info.Column, 1, lines[info.Line - 1].Length);
        }
        // The statements of the method body are all there, in order of first appearance.
        var expected = new[] { "uint pid = ", "if (TargetPid != 0", "ref ulong count = ", "if (Unsafe.IsNullRef", "if (Counts.Update", "Interlocked.Increment(ref Misses)", "Interlocked.Increment(ref count)", "return 0;" };
        foreach (var fragment in expected)
            Assert.Contains(infos, i => i.LineText.Contains(fragment));
    }

    [SkippableFact]
    public void The_kernel_accepts_the_line_info()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(File.ReadAllText(RepoPaths.Combine(Path)), Path);
        var info = probe.Program("OnOpenat").GetInfo();
        // The verifier drops the records of code it proves dead: TargetPid is a frozen .rodata zero,
        // so the comparison with it never runs.
        int ours = probe.Spec.Programs.Single(p => p.Name == "OnOpenat").LineInfos.Count;
        Assert.InRange((int)info.LineInfoCount, ours - 1, ours);
    }
}
