using Ebpf.Compiler.Pipeline;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>Tracepoint record structs checked against a tracefs format at build time (EBPF3103, EBPF3104).</summary>
public class TracepointFormatCheckTests
{
    const string Format = """
        name: rec
        ID: 1
        format:
        	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
        	field:int common_pid;	offset:4;	size:4;	signed:1;

        	field:int pid;	offset:8;	size:4;	signed:1;
        	field:char comm[16];	offset:12;	size:16;	signed:0;

        print fmt: "pid=%d", REC->pid
        """;

    static string Probe(string record) => $$"""
        using System.Runtime.InteropServices;
        using Ebpf;

        {{record}}

        [BpfObject]
        public static partial class P
        {
            static int Seen;
            [Tracepoint("btfgen_test", "rec")]
            static int On(in Rec r) { Seen = r.pid; return 0; }
        }
        """;

    static IReadOnlyList<string> Compile(string record)
    {
        var tracefs = Path.Combine(Path.GetTempPath(), $"btfgen-tracefs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(tracefs, "events", "btfgen_test", "rec"));
        File.WriteAllText(Path.Combine(tracefs, "events", "btfgen_test", "rec", "format"), Format);
        try
        {
            var result = BpfCompiler.CompileSources([(Probe(record), "P.cs")], new BpfCompilerOptions { TracefsPath = tracefs });
            return result.Diagnostics.Select(d => $"{d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.Id}: {d.GetMessage()}").ToList();
        }
        finally { Directory.Delete(tracefs, recursive: true); }
    }

    [Fact]
    public void A_struct_matching_the_format_compiles() => Assert.Empty(Compile(
        "public unsafe struct Rec { public ulong Common; public int pid; public fixed byte comm[16]; }"));

    [Fact]
    public void A_field_at_the_wrong_offset_is_reported_at_the_field()
    {
        var diagnostics = Compile("public unsafe struct Rec { public ulong Common; public long Pad; public int pid; }");
        var d = Assert.Single(diagnostics);
        Assert.StartsWith("4: EBPF3103: Field 'pid' of 'Rec' is at offset 16 with size 4, but the kernel's tracepoint btfgen_test/rec has 'pid' at offset 8 with size 4", d);
    }

    [Fact]
    public void A_struct_longer_than_the_record_is_an_error()
    {
        var diagnostics = Compile("public unsafe struct Rec { public ulong Common; public int pid; public fixed byte comm[16]; public long Extra; }");
        var d = Assert.Single(diagnostics);
        Assert.StartsWith("4: EBPF3104: The fields of 'Rec' reach byte 40, but the kernel's tracepoint btfgen_test/rec record is 28 bytes", d);
    }

    [Fact]
    public void Without_a_readable_format_nothing_is_checked()
    {
        var result = BpfCompiler.CompileSources([(Probe("public struct Rec { public ulong Common; public int pid; public long Extra; public long More; }"), "P.cs")],
            new BpfCompilerOptions { TracefsPath = "/nonexistent-btfgen" });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }
}
