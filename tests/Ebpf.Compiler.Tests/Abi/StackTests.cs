using System.Text;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Abi;

/// <summary>The stack after register allocation: slots with disjoint lifetimes share bytes, and a frame over the
/// limit is reported at the construct that needs the room with a breakdown of what fills it.</summary>
public class StackTests
{
    static string Object(string members) => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Pair { public ulong A; public ulong B; }

        [BpfObject(License = "GPL")]
        public static partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);
            static readonly HashMap<uint, Pair> Pairs = new(maxEntries: 64);
            {{members}}
        }
        """;

    /// <summary>Forty updates, each with its own key and value temporaries in memory (the helper reads them
    /// through pointers): before slots were shared they took 40 x 12 bytes and more.</summary>
    static string FortyUpdates()
    {
        var body = new StringBuilder();
        for (uint i = 0; i < 40; i++) body.AppendLine($"        Counts.Update({i}u, {1000 + i}UL);");
        return Object($$"""
            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
            {{body}}
                return XdpAction.Pass;
            }
            """);
    }

    [Fact]
    public void Forty_map_updates_fit_the_stack_because_their_temporaries_share_slots()
    {
        var result = BpfCompiler.CompileSources(new[] { (FortyUpdates(), "Probe.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        // 40 keys (4 B) and 40 values (8 B) would need 480 B one after another; shared, one pair of slots remains.
        var program = Assert.Single(result.Objects).Spec.Programs.Single();
        Assert.True(StackDepth(program.Instructions) <= 16, $"stack depth {StackDepth(program.Instructions)}");
    }

    [Fact]
    public void Forty_map_updates_load_into_the_kernel_and_store_every_value()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(FortyUpdates());
        Assert.Equal(2u, probe.RunXdp("Run", new byte[64]));
        var counts = probe.Collection.Maps["Counts"];
        for (uint i = 0; i < 40; i++)
            Assert.Equal(1000 + i, BitConverter.ToUInt64(counts.Lookup(BitConverter.GetBytes(i))!));
    }

    /// <summary>Slots alive at the same time never share: forty 16-byte values all read after the last update
    /// need 640 bytes, and the error says why (many values alive), at the declaration of the largest.</summary>
    [Fact]
    public void Many_values_alive_at_once_give_EBPF2001_with_the_breakdown_and_the_lifetime_hint()
    {
        var declarations = new StringBuilder();
        var uses = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            declarations.AppendLine($"        var p{i} = new Pair {{ A = {i}, B = {i + 1} }}; Pairs.Update((uint){i}, in p{i});");
            uses.AppendLine($"        Pairs.Update((uint){i + 40}, in p{i});");
        }
        var source = Object($$"""
            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
            {{declarations}}
            {{uses}}
                return XdpAction.Pass;
            }
            """);
        var result = BpfCompiler.CompileSources(new[] { (source, "Probe.cs") });
        var error = Assert.Single(result.Diagnostics, d => d.Id == "EBPF2001");
        var message = error.GetMessage();
        Assert.Contains("over the 512 bytes", message);
        Assert.Contains("'p", message);
        Assert.Contains("16 B (line", message);
        Assert.Contains("too many values are alive at the same time", message);
        Assert.DoesNotContain("per-CPU array map", message);
        Assert.StartsWith("p", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan));
    }

    [Fact]
    public void One_large_buffer_gives_EBPF2001_at_the_stackalloc_with_the_map_hint()
    {
        var markup = Object("""
            [Xdp]
            static unsafe XdpAction Run(XdpContext ctx)
            {
                byte* buffer = {|EBPF2001:stackalloc byte[600]|};
                buffer[0] = 1;
                return buffer[599] == 0 ? XdpAction.Pass : XdpAction.Drop;
            }
            """);
        var parsed = Markup.Parse(markup);
        var result = BpfCompiler.CompileSources(new[] { (parsed.Source, "Probe.cs") });
        parsed.AssertMatches(result.Diagnostics.Where(d => d.Id.StartsWith("EBPF2", StringComparison.Ordinal)));
        var message = result.Diagnostics.Single(d => d.Id == "EBPF2001").GetMessage();
        Assert.Contains("'stackalloc' 600 B", message);
        Assert.Contains("per-CPU array map", message);
    }

    [Fact]
    public void A_call_chain_over_the_limit_gives_EBPF2002_at_the_call_that_completes_it()
    {
        var markup = Object("""
            [Xdp]
            static XdpAction Run(XdpContext ctx) => Outer() == 0 ? XdpAction.Pass : XdpAction.Drop;

            [MethodImpl(MethodImplOptions.NoInlining)]
            static unsafe int Outer()
            {
                byte* a = stackalloc byte[300];
                Bpf.ProbeReadKernel(a, 300, a);
                return a[0] + {|EBPF2002:Inner()|};
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            static unsafe int Inner()
            {
                byte* b = stackalloc byte[300];
                Bpf.ProbeReadKernel(b, 300, b);
                return b[7];
            }
            """);
        var parsed = Markup.Parse(markup);
        var result = BpfCompiler.CompileSources(new[] { (parsed.Source, "Probe.cs") });
        parsed.AssertMatches(result.Diagnostics.Where(d => d.Id.StartsWith("EBPF2", StringComparison.Ordinal)));
        var message = result.Diagnostics.Single().GetMessage();
        Assert.Contains("Outer (", message);
        Assert.Contains("-> Inner (", message);
        Assert.Contains("rounded up to 32 bytes", message);
    }

    /// <summary>The deepest stack access of a program (R10-relative), as the verifier measures the frame.</summary>
    /// The frame addresses are <c>rX = r10; rX += -N</c>; loads and stores are <c>*(r10 - N)</c>.
    static int StackDepth(IReadOnlyList<Ebpf.Asm.Instruction> instructions)
    {
        int depth = 0;
        for (int n = 0; n < instructions.Count; n++)
        {
            var i = instructions[n];
            if (i.Dst == Ebpf.Asm.Register.R10 || i.Src == Ebpf.Asm.Register.R10) depth = Math.Max(depth, -i.Offset);
            if (i.Src == Ebpf.Asm.Register.R10 && n + 1 < instructions.Count && instructions[n + 1].Dst == i.Dst && instructions[n + 1].Constant < 0)
                depth = Math.Max(depth, (int)-instructions[n + 1].Constant);
        }
        return depth;
    }
}
