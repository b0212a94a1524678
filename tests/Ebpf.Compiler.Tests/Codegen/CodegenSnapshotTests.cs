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

    static void MatchProgram(string name, string members, string usings = "")
        => MatchFunctions(name, CodegenHarness.Compile(Probe(members, usings), name + ".cs"));

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

    [Fact]
    public void OpenCounter() => MatchFunctions("OpenCounter", CodegenHarness.Compile(Sample("OpenCounter"), "OpenCounter.Probe.cs"));

    [Fact]
    public void XdpFilter() => MatchFunctions("XdpFilter", CodegenHarness.Compile(Sample("XdpFilter"), "XdpFilter.Probe.cs"));

    [Fact]
    public void Tracepoint_fields_are_loads_at_constant_context_offsets() => MatchProgram("TracepointFields", """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args) => args.Flags + (int)(args.Dfd >> 1) + (args.Filename == 0 ? 1 : 0);
        """);

    [Fact]
    public void Map_with_struct_key_zeroes_padding_and_copies_values_out() => MatchProgram("MapStructKey", """
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
        """);

    [Fact]
    public void NoInlining_methods_are_bpf_to_bpf_calls() => MatchProgram("BpfToBpfCall", """
        [Xdp]
        static XdpAction Run(XdpContext ctx) => Length(ctx) > 100 ? XdpAction.Drop : XdpAction.Pass;

        [MethodImpl(MethodImplOptions.NoInlining)]
        static unsafe long Length(XdpContext ctx) => ctx.DataEnd - ctx.Data;
        """);

    [Fact]
    public void Values_live_across_calls_use_callee_saved_registers_then_spill() => MatchProgram("Spilling", """
        [MethodImpl(MethodImplOptions.NoInlining)] static long Mix(long x, long y) => x * 31 + y;

        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            long a = args.Dfd, b = (long)args.Filename;
            long x0 = a + 1, x1 = a * 3, x2 = b - 5, x3 = a ^ b, x4 = a >> 3, x5 = b << 2;
            long m = Mix(x0, x1);
            return (int)(m + x0 + x1 * 2 + x2 * 3 + x3 * 4 + x4 * 5 + x5 * 6);
        }
        """);

    [Fact]
    public void Counted_loop() => MatchProgram("CountedLoop", """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            int sum = 0;
            for (int i = 0; i < 8; i++) sum += (args.Flags >> i) & 1;
            return sum;
        }
        """);

    [Fact]
    public void Atomics_fetch_only_when_the_result_is_used() => MatchProgram("Atomics", """
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
        """);

    [Fact]
    public void Sign_extension_truncation_and_signed_division() => MatchProgram("Arithmetic", """
        [Tracepoint("syscalls", "sys_enter_openat")]
        static int Run(in Args args)
        {
            sbyte small = (sbyte)args.Flags;
            long wide = small;
            short half = (short)(args.Mode * 3);
            return (int)(wide / 4) + half % 7 + args.Flags / args.Mode;
        }
        """);

    [Fact]
    public void Packet_pointers_in_unsafe_code() => MatchProgram("PacketPointers", """
        [Xdp]
        static unsafe XdpAction Run(XdpContext ctx)
        {
            byte* data = ctx.Data;
            if (data + 14 > ctx.DataEnd) return XdpAction.Pass;
            ushort etherType = *(ushort*)(data + 12);
            return etherType == 0x0008 ? XdpAction.Drop : XdpAction.Pass;
        }
        """);

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
