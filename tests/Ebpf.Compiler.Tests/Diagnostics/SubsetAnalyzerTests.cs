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

    [Fact] public Task Class_allocation() => Verify(Probe("_ = {|EBPF1001:new Foo()|};"));
    [Fact] public Task Anonymous_object() => Verify(Probe("var a = {|EBPF1001:new { X = 1 }|};"));
    [Fact] public Task Managed_array() => Verify(Probe("var a = {|EBPF1002:new int[4]|};"));
    [Fact] public Task Managed_array_type() => Verify(Probe("{|EBPF1002:int[]|} a = null!;"));
    [Fact] public Task String_literal() => Verify(Probe("var s = {|EBPF1003:\"hello\"|};"));
    [Fact] public Task String_local() => Verify(Probe("{|EBPF1003:string|} s = \"a\" + x;"));
    [Fact] public Task Interpolated_string() => Verify(Probe("var s = {|EBPF1003:$\"{x}\"|};"));
    [Fact] public Task Boxing() => Verify(Probe("Take({|EBPF1004:x|});", "static void Take({|EBPF1020:object|} o) { }"));
    [Fact] public Task Virtual_call() => Verify(Probe("", "static int Call({|EBPF1020:Foo|} f) => {|EBPF1005:f.V()|};"));
    [Fact] public Task Interface_call() => Verify(Probe("", "static int Area({|EBPF1020:IShape|} s) => {|EBPF1005:s.Area()|};"));
    [Fact] public Task Delegate_local_and_invocation() => Verify(Probe("{|EBPF1006:Func<int>|} f = Helper;\n x = {|EBPF1006:f()|};", "static int Helper() => 1;"));
    [Fact] public Task Method_group_to_delegate() => Verify(Probe("Run({|EBPF1006:Helper|});", "static int Helper() => 1; static void Run({|EBPF1006:Func<int>|} f) { }"));
    [Fact] public Task Lambda() => Verify(Probe("{|EBPF1006:Func<int>|} f = {|EBPF1007:() => 1|};"));
    [Fact] public Task Try_finally() => Verify(Probe("{|EBPF1008:try|} { x++; } finally { x--; }"));
    [Fact] public Task Try_catch() => Verify(Probe("{|EBPF1008:try|} { x++; } catch { x--; }"));
    [Fact] public Task Throw() => Verify(Probe("if (x == 2) {|EBPF1008:throw new InvalidOperationException();|}"));
    [Fact] public Task Checked_arithmetic() => Verify(Probe("int y = checked({|EBPF1009:x + 1|});"));
    [Fact] public Task Checked_conversion() => Verify(Probe("byte b = checked({|EBPF1009:(byte)x|});"));
    [Fact] public Task Double_local() => Verify(Probe("{|EBPF1010:double|} d = 1.5;"));
    [Fact] public Task Float_arithmetic() => Verify(Probe("x = (int)({|EBPF1010:x * 0.5f|});"));
    [Fact] public Task Struct_with_float_field() => Verify(Probe("{|EBPF1010:Point|} p = default;"));
    [Fact] public Task Decimal() => Verify(Probe("var m = {|EBPF1010:1m|};"));
    [Fact] public Task Async_method() => Verify(Probe("",
        "static async {|EBPF1020:System.Threading.Tasks.Task|} {|EBPF1012:Later|}() { {|EBPF1012:await System.Threading.Tasks.Task.Yield()|}; }"));
    [Fact] public Task Lock() => Verify(Probe("{|EBPF1013:lock|} ({|EBPF1019:typeof(Probe)|}) { x++; }"));
    [Fact] public Task Dynamic() => Verify(Probe("{|EBPF1014:dynamic|} d = {|EBPF1004:x|};"));
    [Fact] public Task Linq() => Verify(Probe("int n = {|EBPF1015:System.Linq.Enumerable.Count(System.Linq.Enumerable.Range(0, 3))|};"));
    [Fact] public Task Foreach_over_non_span() => Verify(Probe("foreach (var c in {|EBPF1016:default(Bag)|}) x += c;"));
    [Fact] public Task Call_without_source() => Verify(Probe("x = {|EBPF1017:Math.Max(x, 2)|};"));
    [Fact] public Task Property_without_source() => Verify(Probe("x = {|EBPF1017:Environment.ProcessorCount|};"));
    [Fact] public Task Non_constant_stackalloc() => Verify(Probe("Span<byte> b = stackalloc byte[{|EBPF1018:x|}];"));
    [Fact] public Task Reflection() => Verify(Probe("var t = {|EBPF1019:typeof(Foo)|};"));
    [Fact] public Task Class_typed_local() => Verify(Probe("{|EBPF1020:Foo|} f = default;"));
    [Fact] public Task Iterator() => Verify(Probe("",
        "static {|EBPF1020:System.Collections.Generic.IEnumerable<int>|} {|EBPF1021:Gen|}() { {|EBPF1021:yield return 1;|} }"));
    [Fact] public Task Nullable_value_type() => Verify(Probe("{|EBPF1021:int?|} n = null;"));
    [Fact] public Task Foreign_static_field() => Verify(Probe("x = {|EBPF1022:Other.Counter|};"));
    [Fact] public Task Managed_only_member() => Verify(Probe("uint m = {|EBPF1023:Counts.MaxEntries|};"));

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
        """, """
        static int Add(int a, int b) => a + b;
        static int Twice(ref int v) { v *= 2; return v; }
        static int Generic<T>(T value) where T : unmanaged => sizeof(T);
        """));
}
