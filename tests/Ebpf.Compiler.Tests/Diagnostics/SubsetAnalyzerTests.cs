using System.Collections.Immutable;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>Each construct outside the C# subset gives its EBPF id at the construct (exact span),
/// through the IDE analyzer. The compiler uses the same engine (see PipelineDiagnosticsTests).</summary>
public class SubsetAnalyzerTests
{
    /// <summary>Wraps <paramref name="body"/> in an XDP program of a [BpfObject] class, with
    /// <paramref name="members"/> as more members of the class.</summary>
    public static string Probe(string body, string members = "") => $$"""
        using System;
        using System.Buffers.Binary;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;

        public class Foo { public int X; public virtual int V() => 1; }
        public interface IShape { int Area(); }
        public struct Point { public int X; public float F; }
        public struct Bag { public BagEnumerator GetEnumerator() => default; }
        public struct BagEnumerator { public int Current => 0; public bool MoveNext() => false; }
        public static class Other { public static int Counter; }

        [BpfObject]
        public static partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 4);
            static ulong Total;

            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                int x = 1;
                {{body}}
                return XdpAction.Pass;
            }
            {{members}}
        }
        """;

    static async Task Verify(string markup)
    {
        var parsed = Markup.Parse(markup);
        var compilation = TestCompilations.Create(parsed.Source);
        TestCompilations.AssertNoErrors(compilation);
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new SubsetAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        parsed.AssertMatches(diagnostics);
    }

    /// <summary>One case per rule: name, markup body of the program, markup members of the class.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "Class_allocation", "_ = {|EBPF1001:new Foo()|};", "" },
        { "Anonymous_object", "var a = {|EBPF1001:new { X = 1 }|};", "" },
        { "Managed_array", "var a = {|EBPF1002:new int[4]|};", "" },
        { "Managed_array_type", "{|EBPF1002:int[]|} a = null!;", "" },
        { "String_literal", "var s = {|EBPF1003:\"hello\"|};", "" },
        { "String_local", "{|EBPF1003:string|} s = \"a\" + x;", "" },
        { "Interpolated_string", "var s = {|EBPF1003:$\"{x}\"|};", "" },
        { "Boxing", "Take({|EBPF1004:x|});", "static void Take({|EBPF1020:object|} o) { }" },
        { "Virtual_call", "x = Call({|EBPF1020:default|}!);", "static int Call({|EBPF1020:Foo|} f) => {|EBPF1005:f.V()|};" },
        { "Interface_call", "x = Area({|EBPF1020:default|}!);", "static int Area({|EBPF1020:IShape|} s) => {|EBPF1005:s.Area()|};" },
        { "Delegate_local_and_invocation", "{|EBPF1006:Func<int>|} f = Helper;\n x = {|EBPF1006:f()|};", "static int Helper() => 1;" },
        { "Method_group_to_delegate", "Run({|EBPF1006:Helper|});", "static int Helper() => 1; static void Run({|EBPF1006:Func<int>|} f) { }" },
        { "Lambda", "{|EBPF1006:Func<int>|} f = {|EBPF1007:() => 1|};", "" },
        { "Try_finally", "{|EBPF1008:try|} { x++; } finally { x--; }", "" },
        { "Try_catch", "{|EBPF1008:try|} { x++; } catch { x--; }", "" },
        { "Throw", "if (x == 2) {|EBPF1008:throw new InvalidOperationException();|}", "" },
        { "Checked_arithmetic", "int y = checked({|EBPF1009:x + 1|});", "" },
        { "Checked_conversion", "byte b = checked({|EBPF1009:(byte)x|});", "" },
        { "Double_local", "{|EBPF1010:double|} d = 1.5;", "" },
        { "Float_arithmetic", "x = (int)({|EBPF1010:x * 0.5f|});", "" },
        { "Struct_with_float_field", "{|EBPF1010:Point|} p = default;", "" },
        { "Decimal", "var m = {|EBPF1010:1m|};", "" },
        { "Async_method", "{|EBPF1020:Later()|};", "static async {|EBPF1020:System.Threading.Tasks.Task|} {|EBPF1012:Later|}() { {|EBPF1012:await System.Threading.Tasks.Task.Yield()|}; }" },
        { "Lock", "{|EBPF1013:lock|} ({|EBPF1019:typeof(Probe)|}) { x++; }", "" },
        { "Dynamic", "{|EBPF1014:dynamic|} d = {|EBPF1004:x|};", "" },
        { "Linq", "int n = {|EBPF1015:System.Linq.Enumerable.Count(System.Linq.Enumerable.Range(0, 3))|};", "" },
        { "Foreach_over_non_span", "foreach (var c in {|EBPF1016:default(Bag)|}) x += c;", "" },
        { "Call_without_source", "x = {|EBPF1017:Math.Max(x, 2)|};", "" },
        { "Property_without_source", "x = {|EBPF1017:Environment.ProcessorCount|};", "" },
        { "Non_constant_stackalloc", "Span<byte> b = stackalloc byte[{|EBPF1018:x|}];", "" },
        { "Reflection", "var t = {|EBPF1019:typeof(Foo)|};", "" },
        { "Class_typed_local", "{|EBPF1020:Foo|} f = default;", "" },
        { "Iterator", "{|EBPF1020:Gen()|};", "static {|EBPF1020:System.Collections.Generic.IEnumerable<int>|} {|EBPF1021:Gen|}() { {|EBPF1021:yield return 1;|} }" },
        { "Nullable_value_type", "{|EBPF1021:int?|} n = null;", "" },
        { "Foreign_static_field", "x = {|EBPF1022:Other.Counter|};", "" },
        { "Managed_only_member", "uint m = {|EBPF1023:Counts.MaxEntries|};", "" },
        { "String_variable_as_helper_format", "{|EBPF1003:string|} format = \"pid %d\";\n Bpf.Printk(format, x);", "" },
        { "Lambda_capturing_outside_a_helper", "{|EBPF1006:Func<uint, long>|} body = {|EBPF1007:i => x|};", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Each_rule_reports_its_id_at_the_construct(string name, string body, string members)
    {
        _ = name;
        return Verify(Probe(body, members));
    }

    [Fact]
    public Task The_subset_itself_is_accepted() => Verify(Probe("""
        uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
        ref ulong count = ref Counts.Lookup(pid);
        if (Unsafe.IsNullRef(ref count)) Counts.Update(pid, 1, MapUpdate.NoExist);
        else Interlocked.Increment(ref count);
        Interlocked.Add(ref Total, 2);
        ushort port = BinaryPrimitives.ReverseEndianness((ushort)x);
        Span<byte> buffer = stackalloc byte[16];
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)i;
        foreach (byte b in buffer) x += b;
        x = x switch { 1 => 2, > 5 => 3, _ => x };
        x += Add(x, 3) + Local(4) + Twice(ref x) + Generic<long>(5);
        unsafe
        {
            byte* p = ctx.Data;
            if (p + 1 > ctx.DataEnd) return XdpAction.Drop;
        }
        int Local(int v) => v * 2;
        Bpf.Printk("pid %d", pid);
        Bpf.Printk(Format, pid, port);
        Bpf.Loop(4, i => (long)i);
        Bpf.Loop(4, static (uint i, ref int total) => { total += (int)i; return 0; }, ref x);
        """, """
        const string Format = "pid %d port %d";
        static int Add(int a, int b) => a + b;
        static int Twice(ref int v) { v *= 2; return v; }
        static int Generic<T>(T value) where T : unmanaged => sizeof(T);
        """));
}
