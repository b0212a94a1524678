using Ebpf.Btf;
using Ebpf.Compiler.Pipeline;
using Ebpf.Compiler.Tests.Diagnostics;
using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Pipeline;

/// <summary>The pipeline's own stages, with a test double for codegen (<see cref="ReturnZeroCompiler"/>).</summary>
public class PipelineTests
{
    const string Counter = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;

        public struct Args { public ulong Common; public long Dfd; }

        [BpfObject]
        public static partial class Counter
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);
            static readonly uint TargetPid = 7;
            static ulong Misses;

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(in Args args)
            {
                uint pid = Pid();
                ref ulong count = ref Counts.Lookup(pid);
                if (Unsafe.IsNullRef(ref count)) Interlocked.Increment(ref Misses);
                return Helpers.Zero();
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            static uint Pid() => (uint)(Bpf.GetCurrentPidTgid() >> 32) + (uint)Helpers.Zero() + TargetPid;
        }

        static class Helpers
        {
            public static int Zero() => 0;
        }
        """;

    static BpfCompileResult Compile(string source, ReturnZeroCompiler? compiler = null, CompilerDump? dump = null, string path = "Probe.cs")
        => BpfCompiler.CompileSources(new[] { (source, path) }, new BpfCompilerOptions { FunctionCompiler = compiler ?? new ReturnZeroCompiler(), Dump = dump });

    [Fact]
    public void Programs_and_their_callees_are_compiled_once_each_into_one_object()
    {
        var compiler = new ReturnZeroCompiler();
        var result = Compile(Counter, compiler);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        Assert.Equal(new[] { "OnOpenat", "Pid", "Zero" }, compiler.Compiled);
        var compiled = Assert.Single(result.Objects);
        Assert.Equal("Counter.bpf.o", compiled.FileName);
        var spec = compiled.Spec;
        Assert.Equal(new[] { "OnOpenat tracepoint/syscalls/sys_enter_openat Global", "Pid .text Static", "Zero .text Static" },
            spec.Programs.Select(p => $"{p.Name} {p.SectionName} {p.FuncInfos.Single().Func.Linkage}"));
        Assert.Equal("syscalls/sys_enter_openat", spec.Programs[0].AttachTarget);
        Assert.Equal(ProgramType.Tracepoint, spec.Programs[0].Type);
        var map = Assert.Single(spec.Maps);
        Assert.Equal(("Counts", Ebpf.Object.MapType.Hash, 4u, 8u, 64u), (map.Name, map.Type, map.KeySize, map.ValueSize, map.MaxEntries));
        Assert.Equal(new[] { ".rodata 4 07000000", ".bss 8 -" },
            spec.DataSections.Select(d => $"{d.Name} {d.Size} {(d.Contents is null ? "-" : Convert.ToHexString(d.Contents))}"));
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, compiled.Elf[..4]);
    }

    [Fact]
    public void The_elf_reads_back_with_the_same_programs_maps_and_globals()
    {
        var compiled = Assert.Single(Compile(Counter).Objects);
        var read = ElfObjectReader.Read(compiled.Elf);
        Assert.Equal(compiled.Spec.Programs.Select(p => (p.Name, p.SectionName)).Order(), read.Programs.Select(p => (p.Name, p.SectionName)).Order());
        Assert.Equal(new[] { "Counts" }, read.Maps.Select(m => m.Name));
        Assert.Equal("unsigned int", read.Maps[0].KeyType?.Name);
        Assert.Equal("unsigned long", read.Maps[0].ValueType?.Name);
        var rodata = read.DataSections.Single(d => d.Name == ".rodata");
        Assert.Equal("TargetPid", Assert.Single(rodata.BtfDatasec!.Variables).Var.Name);
        Assert.Equal("GPL", read.License);
    }

    [Fact]
    public void Diagnostics_print_as_file_line_col_error_id_message()
    {
        var source = Markup.Parse("""
            using Ebpf;
            public class Foo { }
            [BpfObject]
            public static partial class Probe
            {
                [Xdp]
                static XdpAction Run(XdpContext ctx)
                {
                    var f = {|EBPF1001:new Foo()|};
                    return XdpAction.Pass;
                }
            }
            """);
        var result = Compile(source.Source, path: "samples/Probe.cs");
        Assert.False(result.Success);
        Assert.Empty(result.Objects);
        source.AssertMatches(result.Diagnostics);
        Assert.Equal("samples/Probe.cs(9,17): error EBPF1001: 'new Foo()' allocates on the managed heap, which eBPF programs do not have; use a struct, a stack local or a map value",
            result.Diagnostics.Single().ToString());
    }

    [Fact]
    public void Helpers_outside_the_object_class_are_checked_when_reachable()
    {
        var source = Markup.Parse("""
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => Util.Check() ? XdpAction.Pass : XdpAction.Drop;
            }
            static class Util
            {
                public static bool Check() => {|EBPF1010:1.5|} > 1;
                public static string NotReachable() => "fine: never called from a program";
            }
            """);
        source.AssertMatches(Compile(source.Source).Diagnostics);
    }

    [Fact]
    public void Recursion_is_reported_at_the_call_that_closes_the_cycle()
    {
        var source = Markup.Parse("""
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => Even(4) ? XdpAction.Pass : XdpAction.Drop;
                static bool Even(int n) => n == 0 || Odd(n - 1);
                static bool Odd(int n) => n != 0 && {|EBPF1011:Even(n - 1)|};
                static int Self(int n) => n;
            }
            """);
        var result = Compile(source.Source);
        source.AssertMatches(result.Diagnostics);
        Assert.Contains("Even -> Odd -> Even", result.Diagnostics.Single().GetMessage());
    }

    [Fact]
    public void CSharp_errors_stop_the_pipeline()
    {
        var result = Compile("using Ebpf; [BpfObject] public static partial class P { [Xdp] static XdpAction Run(XdpContext ctx) => Missing; }");
        Assert.Equal(new[] { "CS0103" }, result.Diagnostics.Select(d => d.Id));
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void A_code_generator_crash_is_one_located_internal_error()
    {
        var compiler = new ReturnZeroCompiler { Throw = m => m.Name == "Pid" ? new InvalidOperationException("boom\nat somewhere") : null };
        var result = Compile(Counter, compiler);
        var error = Assert.Single(result.Errors);
        Assert.Equal("EBPF9001", error.Id);
        Assert.Equal("Internal compiler error while compiling 'Pid': InvalidOperationException: boom at somewhere. Please report it with this source.", error.GetMessage());
        int pidLine = Counter.Split('\n').ToList().FindIndex(l => l.Contains("static uint Pid()")) + 1;
        Assert.Equal(pidLine, error.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void Stack_limits_are_checked_per_function_and_per_call_chain()
    {
        var big = Compile(Counter, new ReturnZeroCompiler { StackSize = m => m.Name == "Pid" ? 600 : 16 });
        Assert.Contains(big.Errors, d => d.Id == "EBPF2001" && d.GetMessage().Contains("'Pid' needs 600 bytes"));
        var chain = Compile(Counter, new ReturnZeroCompiler { StackSize = _ => 200 });
        Assert.Equal(new[] { "EBPF2002" }, chain.Errors.Select(d => d.Id));
        Assert.Contains("OnOpenat (200 B) -> Pid (200 B) -> Zero (200 B)", chain.Errors.Single().GetMessage());
    }

    [Fact]
    public void Call_chains_deeper_than_eight_frames_are_rejected()
    {
        var calls = string.Join("\n", Enumerable.Range(1, 8).Select(i => $"static int F{i}() => F{i + 1}();")) + "\nstatic int F9() => 0;";
        var result = Compile($$"""
            using Ebpf;
            [BpfObject]
            public static partial class Deep
            {
                [Xdp] static int Run(XdpContext ctx) => F1();
                {{calls}}
            }
            """);
        Assert.Equal(new[] { "EBPF2003" }, result.Errors.Select(d => d.Id));
        Assert.Contains("is 10 frames deep", result.Errors.Single().GetMessage());
    }

    [Fact]
    public void Missing_files_and_missing_objects_are_reported()
    {
        var missing = BpfCompiler.CompileFiles(new[] { "/nonexistent/Probe.cs" });
        Assert.Equal("EBPF4001", Assert.Single(missing.Diagnostics).Id);
        var none = Compile("public static class NotAnObject { }");
        Assert.Equal("EBPF4002", Assert.Single(none.Diagnostics).Id);
        Assert.True(none.Success);
    }

    [Fact]
    public void Dump_after_discovery_prints_the_model()
    {
        var writer = new StringWriter();
        Compile(Counter, dump: new CompilerDump("discovery", writer));
        Assert.Equal("""
            // ---- after discovery: Counter ----
            object Counter (license "GPL")
              program OnOpenat: Tracepoint, section tracepoint/syscalls/sys_enter_openat, type Tracepoint, attach CgroupInetIngress, context TracepointRecord, target syscalls/sys_enter_openat
              map Counts: Hash, key uint (4 B), value ulong (8 B), max_entries 64, flags 0x0, pinning None
              global TargetPid: uint at .rodata+0 (4 B) = 07000000
              global Misses: ulong at .bss+0 (8 B) = 0000000000000000

            """, writer.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Dump_after_an_unknown_stage_says_so()
    {
        var writer = new StringWriter();
        Compile(Counter, dump: new CompilerDump("nonsense", writer));
        Assert.Contains("--dump-after nonsense: no stage has this name", writer.ToString());
    }
}
