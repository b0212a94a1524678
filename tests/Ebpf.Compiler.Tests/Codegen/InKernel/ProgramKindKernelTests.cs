using System.Reflection;
using System.Runtime.InteropServices;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>The socket, cgroup, lookup, dissector, netfilter, syscall and writable raw tracepoint program kinds:
/// one object with a program of each, whose sections and attach types libbpf's table classifies the same way,
/// loaded by the kernel; where BPF_PROG_TEST_RUN runs the type (syscall, sk_lookup, flow dissector) the
/// results equal the same C# run on .NET.</summary>
public class ProgramKindKernelTests
{
    public const string Source = """
        using System;
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct SumArgs { public long A; public long B; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class Kinds
        {
            static readonly SockMap Socks = new(maxEntries: 4);
            static readonly SkStorage<long> PerSocket = new();
            static long Seen;

            [SkMsg] public static SkAction Msg(SkMsgContext ctx) => ctx.Size > 1000 ? SkAction.Drop : SkAction.Pass;
            [SkSkb(SkSkbHook.StreamParser)] public static int Parser(SkBuffContext skb) => (int)skb.Len;
            [SkSkb(SkSkbHook.StreamVerdict)] public static SkAction Verdict(SkBuffContext skb) => skb.Len > 0 ? SkAction.Pass : SkAction.Drop;
            [SockOps] public static int Ops(SockOpsContext ctx) { if (ctx.Op == 4) Seen++; return 1; }

            [CgroupSock(CgroupSockHook.Create)]
            public static int Create(SockContext ctx)
            {
                ref long n = ref PerSocket.Get(ctx, flags: LocalStorageFlags.Create);
                if (!Unsafe.IsNullRef(ref n)) n++;
                return ctx.Type == 3 ? 0 : 1;
            }

            [CgroupSock(CgroupSockHook.Release)] public static int Release(SockContext ctx) => 1;
            [CgroupSock(CgroupSockHook.PostBind4)] public static int PostBind4(SockContext ctx) => ctx.SrcPort == 1 ? 0 : 1;
            [CgroupSock(CgroupSockHook.PostBind6)] public static int PostBind6(SockContext ctx) => ctx.DstPort == 0 ? 1 : 0;
            [CgroupSockAddr(SockAddrHook.Connect4)]
            public static int Connect4(SockAddrContext ctx) { if (ctx.UserPort == 0x5000) ctx.UserPort = 0x5100; return 1; }
            [CgroupSockAddr(SockAddrHook.Bind6)] public static int Bind6(SockAddrContext ctx) => ctx.UserFamily == 10 ? 1 : 0;
            [CgroupSockAddr(SockAddrHook.Sendmsg4)] public static int Sendmsg4(SockAddrContext ctx) { ctx.MsgSrcIp4 = ctx.MsgSrcIp4; return 1; }
            [CgroupSockAddr(SockAddrHook.Recvmsg6)] public static int Recvmsg6(SockAddrContext ctx) => 1;
            [CgroupSockAddr(SockAddrHook.Getpeername4)] public static int Getpeername4(SockAddrContext ctx) => 1;
            [CgroupSockAddr(SockAddrHook.Getsockname6)] public static int Getsockname6(SockAddrContext ctx) => 1;
            [CgroupSysctl] public static int Sysctl(SysctlContext ctx) => ctx.Write == 1 ? 0 : 1;
            [CgroupSockopt(SockoptHook.Get)] public static int GetOpt(SockoptContext ctx) => ctx.Level == 6 ? 1 : 1;
            [CgroupSockopt(SockoptHook.Set)] public static int SetOpt(SockoptContext ctx) => ctx.Optlen >= 0 ? 1 : 0;
            [CgroupDevice] public static int Device(CgroupDeviceContext ctx) => ctx.Major == 1 && ctx.Minor == 3 ? 1 : 0;
            [SkLookup] public static SkAction Lookup(SkLookupContext ctx) => ctx.LocalPort == 7 ? SkAction.Drop : SkAction.Pass;
            [FlowDissector] public static int Flow(SkBuffContext skb) => 0;
            [Netfilter] public static int Filter(NetfilterContext ctx) => ctx.Skb != 0 ? 1 : 0;
            [Syscall] public static int Sum(in SumArgs args) => (int)(args.A * 3 + args.B);
            [RawTracepointWritable("bpf_test_finish")] public static int Writable(RawTracepointContext ctx) => 0;
        }
        """;

    static Ebpf.Compiler.Pipeline.BpfCompileResult Compile()
    {
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (Source, "Kinds.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return result;
    }

    [Fact]
    public void Every_program_section_classifies_under_libbpfs_table_as_the_attribute_says()
    {
        var spec = Assert.Single(Compile().Objects).Spec;
        Assert.Equal(23, spec.Programs.Count(p => !p.IsSubprogram));
        foreach (var program in spec.Programs.Where(p => !p.IsSubprogram))
        {
            Assert.True(ProgramSections.TryClassify(program.SectionName, out var type, out var attach, out _), program.SectionName);
            Assert.Equal((program.Type, program.ExpectedAttachType), (type, attach));
        }
        var sections = spec.Programs.ToDictionary(p => p.Name, p => p.SectionName);
        Assert.Equal("sk_skb/stream_parser", sections["Parser"]);
        Assert.Equal("cgroup/post_bind6", sections["PostBind6"]);
        Assert.Equal("cgroup/getsockname6", sections["Getsockname6"]);
        Assert.Equal("cgroup/setsockopt", sections["SetOpt"]);
        Assert.Equal("raw_tp.w/bpf_test_finish", sections["Writable"]);
    }

    [SkippableFact]
    public void The_kernel_loads_every_program_kind()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Kinds.cs");
        Assert.Equal(23, probe.Collection.Programs.Count);
    }

    [SkippableFact]
    public void Syscall_program_gives_the_dotnet_result_through_test_run()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Kinds.cs");
        var sum = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "Kinds.cs")).GetType("Kinds")!.GetMethod("Sum")!;
        var argsType = sum.GetParameters()[0].ParameterType.GetElementType()!;
        foreach (var (a, b) in new (long, long)[] { (0, 0), (1, 2), (-5, 7), (1000, -1), (int.MaxValue, 3) })
        {
            var args = Activator.CreateInstance(argsType)!;
            argsType.GetField("A")!.SetValue(args, a);
            argsType.GetField("B")!.SetValue(args, b);
            int expected = (int)sum.Invoke(null, new[] { args })!;
            var ctx = new byte[16];
            BitConverter.TryWriteBytes(ctx.AsSpan(0), a);
            BitConverter.TryWriteBytes(ctx.AsSpan(8), b);
            var run = probe.Program("Sum").TestRun(new TestRunOptions { Context = ctx });
            Assert.Equal(expected, (int)run.ReturnValue);
        }
    }

    [SkippableFact]
    public void Sk_lookup_verdicts_equal_the_dotnet_ones_through_test_run()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Kinds.cs");
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "Kinds.cs")).GetType("Kinds")!;
        foreach (uint port in new uint[] { 7, 8, 80 })
        {
            var expected = (int)type.GetMethod("Lookup")!.Invoke(null, new object[] { new SkLookupContext { Family = 2, Protocol = 6, LocalPort = port } })!;
            // struct bpf_sk_lookup: family at 8, protocol at 12, local_port at 60 (72 bytes).
            var ctx = new byte[72];
            BitConverter.TryWriteBytes(ctx.AsSpan(8), 2u);
            BitConverter.TryWriteBytes(ctx.AsSpan(12), 6u);
            BitConverter.TryWriteBytes(ctx.AsSpan(60), port);
            var run = probe.Program("Lookup").TestRun(new TestRunOptions { Context = ctx, ContextOutSize = 0 });
            Assert.Equal((uint)expected, run.ReturnValue);
        }
    }
}
