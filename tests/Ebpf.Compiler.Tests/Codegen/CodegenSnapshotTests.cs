using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>Golden disassembly (llvm-objdump syntax, slot index per instruction, relocations) of the
/// samples and of small programs, one construct each; and golden IR after the frontend and after
/// optimization. <c>EBPF_BLESS=1</c> rewrites the approved files after a deliberate change.</summary>
public class CodegenSnapshotTests
{
    static string Sample(string name) => File.ReadAllText(RepoPaths.Combine("samples", name, name + ".Probe.cs"));

    static void MatchFunctions(string name, CodegenHarness.Result result)
    {
        Assert.Empty(result.Errors);
        var text = string.Join("\n", result.Functions.Select(f => $"{f.Name}:  ; {CodegenHarness.SlotCount(f)} slots, stack {f.StackSize} bytes\n{CodegenHarness.Disassembly(f)}"));
        Snapshot.Match(name, text);
    }

    /// <summary>A [BpfObject] class with <paramref name="members"/> and common declarations around it.</summary>
    static string Probe(string members, string usings = "") => $$"""
        using System.Buffers.Binary;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;
        {{usings}}

        public struct Args { public ulong Common; public long Dfd; public ulong Filename; public int Flags; public int Mode; }
        public struct Key { public uint Pid; public byte Kind; public ushort Port; }
        public struct Stat { public ulong Count; public ulong Bytes; }

        [BpfObject]
        public static partial class Probe
        {
            {{members}}
        }
        """;

    /// <summary>Small programs, one construct each; their disassembly is golden (here) and the kernel
    /// verifier must accept them (InKernel/ProgramKernelTests).</summary>
    public static readonly IReadOnlyDictionary<string, string> Programs = new Dictionary<string, string>
    {
        ["TracepointFields"] = """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args) => args.Flags + (int)(args.Dfd >> 1) + (args.Filename == 0 ? 1 : 0);
        """,
        ["MapStructKey"] = """
        static readonly HashMap<Key, Stat> Stats = new(maxEntries: 16);

        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            var key = new Key { Pid = (uint)(Bpf.GetCurrentPidTgid() >> 32), Kind = 2, Port = 80 };
            if (Stats.TryGetValue(key, out Stat s) && s.Count > 10) { Stats.Delete(key); return 1; }
            s.Count++;
            s.Bytes += (ulong)args.Mode;
            Stats.Update(key, s);
            return 0;
        }
        """,
        ["BpfToBpfCall"] = """
        [Xdp]
        static XdpAction Run(XdpContext ctx) => Length(ctx) > 100 ? XdpAction.Drop : XdpAction.Pass;

        [MethodImpl(MethodImplOptions.NoInlining)]
        static unsafe long Length(XdpContext ctx) => ctx.DataEnd - ctx.Data;
        """,
        ["Spilling"] = """
        [MethodImpl(MethodImplOptions.NoInlining)] static long Mix(long x, long y) => x * 31 + y;

        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            long a = args.Dfd, b = (long)args.Filename;
            long x0 = a + 1, x1 = a * 3, x2 = b - 5, x3 = a ^ b, x4 = a >> 3, x5 = b << 2;
            long m = Mix(x0, x1);
            return (int)(m + x0 + x1 * 2 + x2 * 3 + x3 * 4 + x4 * 5 + x5 * 6);
        }
        """,
        ["CountedLoop"] = """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            int sum = 0;
            for (int i = 0; i < 8; i++) sum += (args.Flags >> i) & 1;
            return sum;
        }
        """,
        ["Atomics"] = """
        static ulong Events;
        static long Last;
        static uint Flags;

        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            Interlocked.Increment(ref Events);
            Interlocked.Or(ref Flags, 4u);
            long previous = Interlocked.Exchange(ref Last, args.Dfd);
            long seen = Interlocked.CompareExchange(ref Last, 0, previous);
            return (int)(Interlocked.Add(ref Events, 2UL) + (ulong)seen);
        }
        """,
        ["Arithmetic"] = """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            sbyte small = (sbyte)args.Flags;
            long wide = small;
            short half = (short)(args.Mode * 3);
            return (int)(wide / 4) + half % 7 + args.Flags / args.Mode;
        }
        """,
        ["PacketPointers"] = """
        [Xdp]
        static unsafe XdpAction Run(XdpContext ctx)
        {
            byte* data = ctx.Data;
            if (data + 14 > ctx.DataEnd) return XdpAction.Pass;
            ushort etherType = *(ushort*)(data + 12);
            return etherType == 0x0008 ? XdpAction.Drop : XdpAction.Pass;
        }
        """,
        ["ProbeArguments"] = """
        static long LastSyscall;

        [Uprobe]
        static int OnCall(PtRegs ctx, int fd, long count) => fd + (int)count + ctx.Arg<int>(2);

        [Uretprobe]
        static int OnReturn(PtRegs ctx) => (int)ctx.ReturnValue<long>();

        [RawTracepoint("sys_enter")]
        static int OnSysEnter(RawTracepointContext ctx)
        {
            LastSyscall = ctx.Arg<long>(1);
            return 0;
        }
        """,
        ["ProbeRead"] = """
        [Uprobe]
        static unsafe int OnRead(PtRegs ctx, long* counter, byte* name)
        {
            Bpf.ProbeReadUser(out long value, counter);
            byte* buffer = stackalloc byte[16];
            Bpf.ProbeReadUserStr(buffer, 16, name);
            return (int)value + buffer[0];
        }
        """,
        ["TailCallAndPerfOutput"] = """
        static readonly ProgramArray Programs = new(maxEntries: 4);
        static readonly PerfEventArray Samples = new(maxEntries: 4);

        [Xdp]
        static unsafe XdpAction Run(XdpContext ctx)
        {
            var sample = new Stat { Count = 1, Bytes = (ulong)(ctx.DataEnd - ctx.Data) };
            Bpf.PerfEventOutput(ctx, Samples, 0xffffffffUL, in sample);
            Bpf.TailCall(ctx, Programs, 1);
            return XdpAction.Pass;
        }
        """,
    };

    public static IEnumerable<object[]> ProgramNames => Programs.Keys.Select(k => new object[] { k });

    /// <summary>The full source of program <paramref name="name"/>.</summary>
    public static string ProgramSource(string name) => Probe(Programs[name]);

    [Theory]
    [MemberData(nameof(ProgramNames))]
    public void Program_disassembly(string name) => MatchFunctions(name, CodegenHarness.Compile(ProgramSource(name), name + ".cs"));

    [Fact]
    public void OpenCounter() => MatchFunctions("OpenCounter", CodegenHarness.Compile(Sample("OpenCounter"), "OpenCounter.Probe.cs"));

    [Fact]
    public void XdpFilter() => MatchFunctions("XdpFilter", CodegenHarness.Compile(Sample("XdpFilter"), "XdpFilter.Probe.cs"));









    [Fact]
    public void Ir_of_xdp_filter_after_frontend_and_after_optimization()
    {
        var result = CodegenHarness.Compile(Sample("XdpFilter"), "XdpFilter.Probe.cs");
        Assert.Empty(result.Errors);
        Snapshot.Match("XdpFilter.Classify.frontend.ir", result.Dump("Classify", "frontend"));
        Snapshot.Match("XdpFilter.Filter.optimized.ir", result.Dump("Filter", "optimized"));
    }

    [Fact]
    public void Ir_of_open_counter_after_frontend_and_after_optimization()
    {
        var result = CodegenHarness.Compile(Sample("OpenCounter"), "OpenCounter.Probe.cs");
        Assert.Empty(result.Errors);
        Snapshot.Match("OpenCounter.OnOpenat.frontend.ir", result.Dump("OnOpenat", "frontend"));
        Snapshot.Match("OpenCounter.OnOpenat.optimized.ir", result.Dump("OnOpenat", "optimized"));
        Snapshot.Match("OpenCounter.OnOpenat.isel.machine", result.Dump("OnOpenat", "isel"));
    }
}
