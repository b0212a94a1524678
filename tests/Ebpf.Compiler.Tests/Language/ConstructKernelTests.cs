using System.Reflection;
using System.Text;
using Ebpf.Compiler.Tests.Codegen.InKernel;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Language;

/// <summary>The C# constructs a probe author reaches for (issue 7), each as a function of two longs run by
/// .NET (the reference) and compiled, verified and run in the kernel through BPF_PROG_TEST_RUN of an XDP
/// program that stores the result in a global: both must agree on every input.</summary>
public class ConstructKernelTests(ITestOutputHelper output)
{
    /// <summary>Name and body of <c>static long NAME(long a, long b)</c>.</summary>
    public static readonly (string Name, string Body)[] Cases =
    {
        ("ArrowOnStackPointer", "Hdr h = default; Hdr* p = &h; p->A = (ushort)a; p->C = (uint)b; p->B = (ushort)(p->A + 1); return p->A + p->B * 3L + p->C;"),
        ("ArrowOnFixedBufferPointer", "var r = new Rec(); Hdr* h = (Hdr*)r.Comm; h->B = (ushort)a; h->C = (uint)b; return r.Comm[2] + r.Comm[4] * 7L;"),
        ("Tuples", "var t = (a, (int)b); var u = (X: t.Item2, Y: t.Item1 * 2); return u.X + u.Y + t.Item1;"),
        ("Deconstruction", "var (x, y) = (a, b); (x, y) = (y, x); (long p, (int q, _)) = (x - 1, ((int)y, 5)); return x * 3 + y * 5 + p + q;"),
        ("TupleReturningMethod", "var (q, r) = DivRem(a, b); return q * 1000 + r;"),
        ("TernaryInMapKey", "ref long v = ref Stats.Lookup(a > b ? 1u : 2u); if (Unsafe.IsNullRef(ref v)) return -1; v += a; return v + (Stats.TryGetValue(b > 3 && a > 0 ? 3u : 1u, out long w) ? w : -5);"),
        ("LogicInUpdateArguments", "long value = a; long rc = Stats.Update(a > 0 || b > 0 ? 0u : 3u, in value, a < b ? MapUpdate.Any : MapUpdate.Exist); Bpf.Printk(\"update %d\", a > b ? 1 : 0); return Get(0) * 10 + Get(3) + rc * 1000;"),
        ("ConstInKey", "ref long v = ref Stats.Lookup(SlotTwo); if (Unsafe.IsNullRef(ref v)) return -1; v = a ^ b; Stats.TryGetValue(SlotTwo, out long copy); return Get(SlotTwo) + copy * 3;"),
        ("VoidEarlyReturn", "Acc = 0; Early(a); Early(b); return Acc;"),
        ("VoidEndsInIf", "Acc = 0; EndsInIf(a, b); EndsInIf(b, a); return Acc;"),
        ("VoidEndsInLoop", "Acc = 0; EndsInLoop((int)(b & 7), a); return Acc;"),
        ("SpanOverStackalloc", "Span<byte> s = stackalloc byte[16]; s[0] = (byte)a; s[(int)(b & 15)] = 9; ReadOnlySpan<byte> r = s; long sum = 0; for (int i = 0; i < r.Length; i++) sum += r[i] * (i + 1); return sum + s.Slice(4).Length;"),
        ("SpanOverFixedBuffer", "var r = new Rec(); var s = new Span<byte>(r.Comm, 16); s[1] = (byte)b; s[(int)(a & 15)] += 3; return r.Comm[1] * 100L + r.Comm[(int)(a & 15)];"),
        ("Utf8Literal", "ReadOnlySpan<byte> u = \"hello\"u8; int i = (int)(a & 3); return u[i] + u.Length * 1000;"),
        ("StaticLocalFunction", "return Square(a) + Square(b) * 3; static long Square(long v) => v * v;"),
        ("LocalFunctionCapturingNothing", "long Twice(long v) { return v + v; } return Twice(a) - Twice(b);"),
        ("ComputedProperties", "var r = new Rect { W = (int)a, H = (int)b }; return r.Area + r.Perimeter * 1000L + (r.IsSquare ? 1 : 0);"),
        ("RecordStructs", "var p = new Pt((int)a, (int)b); var q = p with { Y = 5 }; var w = q; w.X += 1; return p.X + p.Y * 10L + q.Y * 100 + w.X * 1000L + (p == q ? 1 : 0);"),
        ("LpmKeyConstructor", "var key = new LpmKey<uint>(32, (uint)a); Lpm.Update(new LpmKey<uint>(8, (uint)a & 0xff), 11); ref long v = ref Lpm.Lookup(in key); return Unsafe.IsNullRef(ref v) ? -1 : v + key.PrefixLength;"),
        ("CaseVarWhen", "switch (a) { case var x when x > b: return x - b; case var y when y == b: return 7; default: return b * 2; }"),
        ("LoopCallbackLambda", "long s = b & 0xff; Bpf.Loop((uint)(a & 31), static (uint i, ref long st) => { st = st * 3 + i; return st > 100000 ? 1 : 0; }, ref s); return s;"),
        ("LoopCallbackMethodGroup", "var st = new LoopState { Limit = (int)(b & 15), Sum = a & 0xff }; long n = Bpf.Loop(16, Step, ref st); return n * 1000 + st.Sum;"),
        ("ForEachMapElemLambda", "Table.Update(1, a & 0xfff); Table.Update(2, b & 0xfff); long total = 0; long n = Bpf.ForEachMapElem(Table, static (in uint k, ref long v, ref long t) => { t += k * v; return 0; }, ref total); Table.Delete(1); Table.Delete(2); return n * 1000000 + total;"),
    };

    static string Source()
    {
        var sb = new StringBuilder();
        sb.Append("""
            using System;
            using System.Runtime.CompilerServices;
            using System.Runtime.InteropServices;
            using Ebpf;

            public struct Input { public long A; public long B; }
            public struct Hdr { public ushort A; public ushort B; public uint C; }
            public unsafe struct Rec { public int A; public fixed byte Comm[16]; }
            public struct Rect
            {
                public int W, H;
                public readonly int Area => W * H;
                public readonly int Perimeter { get { int s = W + H; return s * 2; } }
                public readonly bool IsSquare => W == H;
            }
            public record struct Pt(int X, int Y);
            public struct LoopState { public int Limit; public long Sum; }

            [BpfObject(License = "GPL")]
            public static unsafe partial class Constructs
            {
                const uint SlotTwo = 2;
                static readonly ArrayMap<long> Stats = new(maxEntries: 4);
                static readonly HashMap<uint, long> Table = new(maxEntries: 8);
                static readonly LpmTrie<LpmKey<uint>, long> Lpm = new(maxEntries: 16);
                static long Result;
                static long Acc;

                static (long Quotient, long Remainder) DivRem(long x, long y) => y == 0 ? (0, x) : (x / y, x % y);
                static long Get(uint k) { ref long v = ref Stats.Lookup(k); return Unsafe.IsNullRef(ref v) ? -1 : v; }
                static void Early(long v) { if (v > 10) return; Acc += v; }
                static void EndsInIf(long v, long w) { Acc += 1; if (v > w) Acc += v - w; }
                static void EndsInLoop(int n, long v) { for (int i = 0; i < n; i++) Acc += v + i; }
                static long Step(uint i, ref LoopState s) { if (i >= s.Limit) return 1; s.Sum += i * 2; return 0; }

            """);
        foreach (var (name, body) in Cases)
            sb.Append($$"""
                    static long {{name}}(long a, long b)
                    {
                        {{body}}
                    }

                    [Xdp]
                    static XdpAction Run{{name}}(XdpContext ctx)
                    {
                        if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                        Result = {{name}}(input.A, input.B);
                        return XdpAction.Pass;
                    }

                """);
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>The same object through tools we did not write: libbpf (bpftool prog loadall) loads every
    /// program, callbacks included (its RELO_SUBPROG_ADDR), and bpftool gen skeleton accepts it.</summary>
    [SkippableFact]
    public void Libbpf_loads_the_constructs_object_and_bpftool_generates_its_skeleton()
    {
        Kernel.RequireBpf();
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (Source(), "Constructs.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var dir = Directory.CreateTempSubdirectory("lang-constructs-").FullName;
        var pinDir = $"/sys/fs/bpf/lang-constructs-{Environment.ProcessId}";
        try
        {
            var obj = Path.Combine(dir, "Constructs.bpf.o");
            Ebpf.Object.ElfObjectWriter.WriteFile(Assert.Single(result.Objects).Spec, obj);
            var bpftool = ExternalTool.Require("bpftool");
            var load = ExternalTool.Run(bpftool, "prog", "loadall", obj, pinDir);
            Assert.True(load.ExitCode == 0, $"bpftool prog loadall failed:\n{load.Combined}");
            foreach (var (name, _) in Cases) Assert.True(File.Exists(Path.Combine(pinDir, "Run" + name)), $"Run{name} not pinned");
            var skeleton = ExternalTool.Run(bpftool, "gen", "skeleton", obj);
            Assert.True(skeleton.ExitCode == 0, $"bpftool gen skeleton failed:\n{skeleton.Combined}");
        }
        finally
        {
            if (Directory.Exists(pinDir)) Directory.Delete(pinDir, recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    static IEnumerable<(long A, long B)> Inputs()
    {
        var fixedPairs = new (long, long)[] { (0, 0), (1, 2), (2, 1), (-1, 1), (5, 5), (12, 3), (3, 12), (255, 256), (-7, -2), (100, 7), (31, 15), (int.MaxValue, 9) };
        foreach (var p in fixedPairs) yield return p;
        var random = new Random(7);
        for (int i = 0; i < 12; i++) yield return (random.NextInt64(-1000, 1000), random.NextInt64(-1000, 1000));
    }

    [SkippableFact]
    public void Every_construct_gives_the_dotnet_result_in_the_kernel()
    {
        Kernel.RequireBpf();
        var source = Source();
        var assembly = TestCompilations.EmitAndLoad(TestCompilations.Create(source, "Constructs.cs"));
        var type = assembly.GetType("Constructs")!;
        using var probe = LoadedProbe.Load(source, "Constructs.cs");

        var failures = new List<string>();
        int runs = 0;
        foreach (var (name, _) in Cases)
        {
            var method = type.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
            foreach (var (a, b) in Inputs())
            {
                long expected = (long)method.Invoke(null, new object[] { a, b })!;
                var packet = new byte[16];
                BitConverter.TryWriteBytes(packet.AsSpan(0), a);
                BitConverter.TryWriteBytes(packet.AsSpan(8), b);
                uint verdict = probe.RunXdp("Run" + name, packet);
                long actual = probe.Global<long>("Result");
                runs++;
                if (verdict != 2 || actual != expected) failures.Add($"{name}({a}, {b}): .NET {expected}, BPF {actual} (verdict {verdict})");
            }
        }
        output.WriteLine($"{Cases.Length} constructs, {runs} runs");
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(40)));
    }
}
