using System.Buffers.Binary;
using Ebpf.Abi;
using Ebpf.Compiler.Pipeline;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Abi;

/// <summary>Code generation uses only instructions the target kernel accepts: below 5.1 no BPF_JMP32; 32-bit
/// comparisons widen their operands instead and give the same answers.</summary>
public class TargetCodegenTests
{
    const string Source = """
        using Ebpf;

        public struct Input { public int A; public uint B; }

        [BpfObject(License = "GPL")]
        public static partial class Compare32
        {
            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                int a = input.A;
                uint b = input.B;
                uint mask = 0;
                if (a < 5) mask |= 1;
                if (a < -3) mask |= 2;
                if (b < 7) mask |= 4;
                if (b > 0xFFFFFFF0u) mask |= 8;
                if (a >= (int)b) mask |= 16;
                if ((uint)a < b) mask |= 32;
                if (a != -1) mask |= 64;
                if (b == 0x80000000u) mask |= 128;
                return (XdpAction)(mask + 256);
            }
        }
        """;

    static uint Expected(int a, uint b)
    {
        uint mask = 0;
        if (a < 5) mask |= 1;
        if (a < -3) mask |= 2;
        if (b < 7) mask |= 4;
        if (b > 0xFFFFFFF0u) mask |= 8;
        if (a >= (int)b) mask |= 16;
        if ((uint)a < b) mask |= 32;
        if (a != -1) mask |= 64;
        if (b == 0x80000000u) mask |= 128;
        return mask + 256;
    }

    static Ebpf.Object.ObjectSpec Compile(KernelVersion? target)
    {
        var result = BpfCompiler.CompileSources(new[] { (Source, "Compare32.cs") }, new BpfCompilerOptions { TargetKernel = target });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Objects).Spec;
    }

    static bool IsJump32(Ebpf.Asm.Instruction i) => (i.OpCode & 0x07) == 0x06;

    [Fact]
    public void Below_5_1_no_jmp32_is_emitted_and_from_5_1_it_is()
    {
        Assert.DoesNotContain(Compile(new KernelVersion(4, 19)).Programs.Single().Instructions, IsJump32);
        Assert.Contains(Compile(new KernelVersion(5, 1)).Programs.Single().Instructions, IsJump32);
    }

    [Fact]
    public void Widened_32_bit_comparisons_give_the_answers_of_dotnet_in_the_kernel()
    {
        Kernel.RequireBpf();
        using var old = Collection.Load(Compile(new KernelVersion(4, 19)));
        using var current = Collection.Load(Compile(null));
        (int, uint)[] inputs = { (0, 0), (-4, 6), (4, 7), (-1, 0xFFFFFFFF), (int.MinValue, 0x80000000), (int.MaxValue, 1), (-3, 0xFFFFFFF1), (6, 0xFFFFFFF0) };
        foreach (var (a, b) in inputs)
        {
            var packet = new byte[64];
            BinaryPrimitives.WriteInt32LittleEndian(packet, a);
            BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(4), b);
            Assert.Equal(Expected(a, b), old.Programs["Run"].TestRun(packet).ReturnValue);
            Assert.Equal(Expected(a, b), current.Programs["Run"].TestRun(packet).ReturnValue);
        }
    }
}
