using System.Text;

namespace Ebpf.Compiler.Tests.Language;

/// <summary>Generates C# probe sources for the robustness test: random programs mostly inside the subset
/// (expressions, statements, structs, maps, loops, constructs of issue 7), some outside it (classes,
/// strings, floating point, exceptions), and pathological shapes (deep nesting, huge methods).</summary>
public static class ProgramGenerator
{
    public enum Shape { Random, DeepExpression, DeepBlocks, DeepIfs, HugeMethod, DeepParentheses }

    const string Prelude = """
        using System;
        using System.Runtime.CompilerServices;
        using Ebpf;
        public struct Input { public long A; public long B; }
        public struct Pair { public int X; public int Y; public readonly int Sum => X + Y; }
        public record struct Pt(int X, int Y);

        """;

    /// <summary>A probe for <paramref name="seed"/>; <paramref name="full"/> gives the pathological shapes at
    /// full size (thousands deep, 10,000 statements), otherwise a tenth of it (for many quick samples).</summary>
    public static string Generate(int seed, Shape shape, bool full = true)
    {
        var random = new Random(seed);
        int scale = full ? 10 : 1;
        var body = shape switch
        {
            Shape.Random => RandomBody(random),
            Shape.DeepExpression => "return " + DeepChain(random, random.Next(20, 300) * scale) + ";",
            Shape.DeepParentheses => "return " + Nested(random.Next(10, 150) * scale) + ";",
            Shape.DeepBlocks => Blocks(random.Next(10, 150) * scale),
            Shape.DeepIfs => Ifs(random.Next(5, 60) * scale),
            Shape.HugeMethod => Huge(1_000 * scale),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        return Prelude + $$"""
            [BpfObject(License = "GPL")]
            public static unsafe partial class Fuzz{{seed & 0x7fffffff}}
            {
                static readonly ArrayMap<long> Stats = new(maxEntries: 4);
                static readonly HashMap<uint, long> Table = new(maxEntries: 16);
                const uint Key = 1;
                static long Result;

                static long F(long a, long b)
                {
                    {{body}}
                }

                [Xdp]
                static XdpAction Run(XdpContext ctx)
                {
                    if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                    Result = F(input.A, input.B);
                    return XdpAction.Pass;
                }
            }
            """;
    }

    static string DeepChain(Random r, int n)
    {
        var sb = new StringBuilder("a");
        string[] ops = { "+", "-", "^", "|", "&", "*" };
        for (int i = 0; i < n; i++) sb.Append(' ').Append(ops[r.Next(ops.Length)]).Append(' ').Append(r.Next(2) == 0 ? "b" : r.Next(1, 99).ToString());
        return sb.ToString();
    }

    static string Nested(int depth) => new string('(', depth) + "a" + string.Concat(Enumerable.Repeat(" + 1)", depth));

    static string Blocks(int depth) => "long s = a; " + new string('{', depth) + " s += b; " + new string('}', depth) + " return s;";

    static string Ifs(int depth)
    {
        var sb = new StringBuilder("long s = 0; ");
        for (int i = 0; i < depth; i++) sb.Append($"if (a > {i}) {{ s += {i}; ");
        sb.Append(new string('}', depth));
        return sb.Append(" return s;").ToString();
    }

    static string Huge(int statements)
    {
        var sb = new StringBuilder("long s = a;\n");
        for (int i = 0; i < statements; i++) sb.Append(i % 3 == 0 ? $"s += b ^ {i};\n" : i % 3 == 1 ? $"s ^= s >> {i % 60 + 1};\n" : $"s -= {i};\n");
        return sb.Append("return s;").ToString();
    }

    static string RandomBody(Random r)
    {
        var sb = new StringBuilder("long s = 0;\n");
        int n = r.Next(1, 12);
        for (int i = 0; i < n; i++) sb.Append(Statement(r, 3)).Append('\n');
        sb.Append("return s;");
        return sb.ToString();
    }

    static string Statement(Random r, int depth) => (depth <= 0 ? r.Next(4) : r.Next(24)) switch
    {
        0 => $"s += {Expr(r, 3)};",
        1 => $"s = {Expr(r, 4)};",
        2 => $"long v{r.Next(1000)} = {Expr(r, 2)}; s ^= 1;",
        3 => $"s -= {Expr(r, 2)};",
        4 => $"if ({Cond(r, 2)}) {{ {Statement(r, depth - 1)} }} else {{ {Statement(r, depth - 1)} }}",
        5 => $"for (int i = 0; i < {r.Next(1, 20)}; i++) {{ {Statement(r, depth - 1)} }}",
        6 => $"{{ ref long m = ref Stats.Lookup({(r.Next(2) == 0 ? "Key" : $"a > b ? 1u : 2u")}); if (!Unsafe.IsNullRef(ref m)) s += m; }}",
        7 => $"var (x{depth}, y{depth}) = (a, {Expr(r, 1)}); s += x{depth} - y{depth};",
        8 => $"Span<byte> sp{depth} = stackalloc byte[{r.Next(1, 32)}]; sp{depth}[0] = (byte)s; s += sp{depth}.Length;",
        9 => $"s += {Expr(r, 2)} switch {{ 0 => 1, > 5 => 2, _ => 3 }};",
        10 => $"var p{depth} = new Pair {{ X = (int)a, Y = (int)b }}; s += p{depth}.Sum;",
        11 => $"s += Local{depth}(s); static long Local{depth}(long v) => v * 3;",
        12 => $"Bpf.Loop({r.Next(1, 10)}u, static (uint i, ref long st) => {{ st += i; return 0; }}, ref s);",
        13 => $"Table.Update((uint)(a & 7), s); Bpf.Printk(\"%d\", a > b ? 1 : 0);",
        14 => "object o = new object(); s += o.GetHashCode();",                     // outside the subset
        15 => "string t = \"x\" + a; s += t.Length;",                             // outside the subset
        16 => "double d = a * 0.5; s += (long)d;",                                // outside the subset
        17 => "try { s += 1; } catch { s = 0; }",                                 // outside the subset
        18 => $"while (s < {r.Next(10, 1000)}) s += {r.Next(1, 9)};",             // a bounded loop the verifier may reject
        19 => $"long w{depth} = 0; switch (s & 3) {{ case var z when z > 1: w{depth} = z; break; default: w{depth} = 2; break; }} s += w{depth};",
        20 => $"var q{depth} = new Pt((int)a, 2) with {{ Y = 3 }}; s += q{depth}.X + q{depth}.Y;",
        21 => $"ReadOnlySpan<byte> u{depth} = \"ab\"u8; s += u{depth}[1];",
        22 => $"long l{depth} = s; s = l{depth} {Op(r)} {Expr(r, 1)}",                  // a syntax error: no semicolon
        _ => $"s += {Expr(r, depth)};",
    };

    static string Op(Random r) => new[] { "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>" }[r.Next(10)];

    static string Expr(Random r, int depth)
    {
        if (depth <= 0) return r.Next(4) switch { 0 => "a", 1 => "b", 2 => "s", _ => r.Next(-50, 1000).ToString() };
        return r.Next(7) switch
        {
            0 => $"({Expr(r, depth - 1)} {Op(r)} {Expr(r, depth - 1)})",
            1 => $"({Cond(r, depth - 1)} ? {Expr(r, depth - 1)} : {Expr(r, depth - 1)})",
            2 => $"(long)(int){Expr(r, depth - 1)}",
            3 => $"(long)(byte){Expr(r, depth - 1)}",
            4 => $"-{Expr(r, depth - 1)}",
            5 => $"(~{Expr(r, depth - 1)})",
            _ => Expr(r, 0),
        };
    }

    static string Cond(Random r, int depth) => r.Next(4) switch
    {
        0 => $"{Expr(r, depth)} > {Expr(r, depth)}",
        1 => $"({Cond(r, depth - 1)}) && {Expr(r, 0)} != 0",
        2 => $"({Cond(r, depth - 1)}) || {Expr(r, 0)} == 3",
        _ => $"{Expr(r, depth)} is > 3 and < 100",
    };
}
