using Ebpf.Compiler.Tests.Diagnostics;

namespace Ebpf.Compiler.Tests.Codegen;

/// <summary>What the code generator cannot compile is reported at the construct with a catalog ID
/// (never an exception), and the function is dropped. Markup: <c>{|EBPF1901:construct|}</c>.</summary>
public class CodegenDiagnosticsTests
{
    static string Probe(string body, string members = "") => $$"""
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Args { public ulong Common; public long Dfd; public long Flags; }
        public unsafe struct Big { public fixed byte Bytes[600]; }
        public struct Pair { public int X; public int Y; public Pair(int x) { X = x; Y = 0; } }
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
        public struct Packed { public byte Tag; public uint Value; }

        [BpfObject]
        public static partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 4);

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int Run(in Args args)
            {
                {{body}}
                return 0;
            }
            {{members}}
        }
        """;

    static void Verify(string markup)
    {
        var parsed = Markup.Parse(markup);
        var result = CodegenHarness.Compile(parsed.Source);
        parsed.AssertMatches(result.Diagnostics);
        Assert.True(result.Functions.Count < result.Model.Programs.Count, "the function with the error was not dropped");
    }

    [Fact]
    public void Call_of_a_method_without_source() => Verify(Probe("return {|EBPF1902:System.Math.Max((int)args.Flags, 3)|};"));

    [Fact]
    public void Switch_expression_without_a_default_arm() => Verify(Probe(
        "int x = (int)args.Flags; int y = {|EBPF1904:x switch { 1 => 10, 2 => 20 }|}; if (y > 0) return y;"));

    [Fact]
    public void Span_local_compiles_and_a_span_parameter_is_reported()
    {
        Assert.Empty(CodegenHarness.Compile(Probe("System.Span<byte> s = stackalloc byte[8]; return s.Length;")).Errors);
        var result = CodegenHarness.Compile(Probe("return Len(stackalloc byte[8]);", "static int Len(System.Span<byte> s) => s.Length;"));
        Assert.Contains(result.Errors, d => d.Id == "EBPF1903");
    }

    [Fact]
    public void More_than_five_call_arguments() => Verify(Probe(
        "return {|EBPF2102:Sum(1, 2, 3, 4, 5, 6)|};",
        "[MethodImpl(MethodImplOptions.NoInlining)] static int Sum(int a, int b, int c, int d, int e, int f) => a + b + c + d + e + f;"));

    [Fact]
    public void Misaligned_field_of_a_stack_struct() => Verify(Probe(
        "var p = new Packed { Tag = 1 }; {|EBPF2104:p.Value|} = (uint)args.Flags; return (int)p.Tag;"));

    [Fact]
    public void Kernel_pointer_read_without_probe_read() => Verify(Probe(
        "",
        "[Uprobe] static unsafe int OnCall(PtRegs ctx, long* counter) => (int){|EBPF2105:*counter|};"));

    [Fact]
    public void Stack_over_512_bytes()
    {
        var result = CodegenHarness.Compile(Probe("Big big = default; return (int)Bpf.GetCurrentComm(out big);"));
        var diagnostic = Assert.Single(result.Errors);
        Assert.Equal("EBPF2001", diagnostic.Id);
        Assert.Contains("600", diagnostic.GetMessage());
    }

    [Fact]
    public void Division_by_a_variable_is_reported_as_information_and_compiles()
    {
        // The flow rules report it (in the pipeline, before codegen); the code generator compiles it.
        var source = Probe("return (int)(args.Dfd / args.Flags);");
        var pipeline = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (source, "Probe.cs") }, new Ebpf.Compiler.Pipeline.BpfCompilerOptions());
        var info = Assert.Single(pipeline.Diagnostics);
        Assert.Equal("EBPF2103", info.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, info.Severity);
        Assert.True(pipeline.Success);
        var result = CodegenHarness.Compile(source);
        Assert.Contains(result.Functions, f => f.Name == "Run");
    }
}
