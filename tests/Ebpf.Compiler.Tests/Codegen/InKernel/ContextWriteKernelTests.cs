using System.Buffers.Binary;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Writes to context fields (<c>skb.Mark = ...</c>, <c>skb.Priority += ...</c>) reach the kernel's skb:
/// BPF_PROG_TEST_RUN hands the __sk_buff back and the written fields hold what the program stored, for a plain
/// assignment, one whose value is a <c>?:</c> (Roslyn captures the target before the branches), a compound
/// assignment and an increment.</summary>
public class ContextWriteKernelTests
{
    const string Source = """
        using Ebpf;

        [BpfObject(License = "GPL")]
        public static partial class ContextWrites
        {
            [Tc(TcDirection.Ingress)]
            static TcAction Plain(SkBuffContext skb) { skb.Mark = 7; return TcAction.Ok; }

            [Tc(TcDirection.Ingress)]
            static TcAction Conditional(SkBuffContext skb)
            {
                skb.Mark = skb.Len > 100 ? 11u : 22u;
                return TcAction.Ok;
            }

            [Tc(TcDirection.Ingress)]
            static TcAction Compound(SkBuffContext skb)
            {
                skb.Priority += 5;
                skb.Mark++;
                return TcAction.Ok;
            }
        }
        """;

    const int SkBuffSize = 192;   // sizeof(struct __sk_buff)
    const int MarkOffset = 8, PriorityOffset = 32;

    [SkippableTheory]
    [InlineData("Plain", 64, 0u, 0u, 7u, 0u)]
    [InlineData("Conditional", 64, 0u, 0u, 22u, 0u)]
    [InlineData("Conditional", 200, 0u, 0u, 11u, 0u)]
    [InlineData("Compound", 64, 40u, 3u, 41u, 8u)]
    public void The_written_field_comes_back_from_the_test_run(string program, int length, uint markIn, uint priorityIn, uint markOut, uint priorityOut)
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "ContextWrites.cs");
        var context = new byte[SkBuffSize];
        BinaryPrimitives.WriteUInt32LittleEndian(context.AsSpan(MarkOffset), markIn);
        BinaryPrimitives.WriteUInt32LittleEndian(context.AsSpan(PriorityOffset), priorityIn);
        var packet = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), 0x0800);
        var run = probe.Program(program).TestRun(new TestRunOptions { Data = packet, Context = context });
        Assert.Equal(markOut, BinaryPrimitives.ReadUInt32LittleEndian(run.Context.AsSpan(MarkOffset)));
        Assert.Equal(priorityOut, BinaryPrimitives.ReadUInt32LittleEndian(run.Context.AsSpan(PriorityOffset)));
    }
}
