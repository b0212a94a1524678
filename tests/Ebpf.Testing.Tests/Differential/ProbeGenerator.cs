using CsCheck;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>Random valid probes, as CsCheck generators (so a failure shrinks to a small program): integer expressions
/// over int, uint, long and ulong with casts, every arithmetic, bitwise and shift operator, safe division, comparisons
/// and conditionals, over the two inputs a and b. Each becomes <c>static long F(long a, long b)</c> with an XDP wrapper
/// that reads its inputs from the packet, stores the result in a global and a hash map, and returns a verdict from it.</summary>
public static class ProbeGenerator
{
    static readonly string[] Types = ["int", "uint", "long", "ulong"];
    static readonly Dictionary<(string, int), Gen<string>> Memo = new();

    static readonly Gen<string> TypeGen = Gen.OneOf(Types);

    /// <summary>An expression of C# type <paramref name="type"/> nested at most <paramref name="depth"/> deep.</summary>
    public static Gen<string> Expression(string type, int depth)
    {
        lock (Memo)
        {
            if (Memo.TryGetValue((type, depth), out var memo)) return memo;
            var gen = depth == 0 ? Leaf(type) : Gen.Frequency(
                (2, Leaf(type)),
                (5, Gen.Select(Gen.OneOf("+", "-", "*", "&", "|", "^"), Operand(type, depth - 1), Expression(type, depth - 1),
                    (op, l, r) => $"(({type})({l} {op} {r}))")),
                (2, Gen.Select(Gen.OneOf("<<", ">>", ">>>"), Operand(type, depth - 1), Expression("int", depth - 1),
                    (op, l, r) => $"(({type})({l} {op} (int)({r})))")),
                (2, Division(type, depth)),
                (2, TypeGen.SelectMany(from => Expression(from, depth - 1)).Select(e => $"(({type})({e}))")),
                (1, Gen.Select(Operand(type, depth - 1), Gen.OneOf("~", "-"),
                    (e, op) => op == "-" && type is "uint" or "ulong" ? $"(~{e})" : $"(({type})({op} {e}))")),
                (2, Gen.Select(Comparison(depth - 1), Expression(type, depth - 1), Expression(type, depth - 1),
                    (c, t, f) => $"({c} ? {t} : {f})")));
            Memo[(type, depth)] = gen;
            return gen;
        }
    }

    /// <summary>Division and remainder where .NET does not throw: unsigned by a value made odd, signed by a positive constant.</summary>
    static Gen<string> Division(string type, int depth)
        => type is "uint" or "ulong"
            ? Gen.Select(Gen.OneOf("/", "%"), Operand(type, depth - 1), Expression(type, depth - 1), (op, l, r) => $"(({type})({l} {op} ({r} | 1)))")
            : Gen.Select(Gen.OneOf("/", "%"), Operand(type, depth - 1), Gen.Int[1, 40], (op, l, c) => $"(({type})({l} {op} {c}))");

    /// <summary>A non-constant operand, so no constant subexpression overflows at compile time.</summary>
    static Gen<string> Operand(string type, int depth) => Gen.Frequency((1, Variable(type)), (1, Expression(type, depth)));

    static Gen<string> Comparison(int depth)
        => TypeGen.SelectMany(type => Gen.Select(Gen.OneOf("<", "<=", ">", ">=", "==", "!="), Operand(type, depth), Expression(type, depth),
            (op, l, r) => $"({l} {op} {r})"));

    static Gen<string> Leaf(string type) => Gen.Frequency((2, Variable(type)), (1, Constant(type)));

    static Gen<string> Variable(string type) => Gen.OneOf("a", "b").Select(v => $"(({type}){v})");

    static Gen<string> Constant(string type) => type switch
    {
        "int" => Gen.OneOf("0", "1", "-1", "7", "int.MaxValue", "int.MinValue", "0x5555"),
        "uint" => Gen.OneOf("0u", "1u", "0xFFFFFFFFu", "0x80000000u", "13u"),
        "long" => Gen.OneOf("0L", "-1L", "long.MinValue", "0x1_0000_0000L", "-3L"),
        _ => Gen.OneOf("0UL", "1UL", "ulong.MaxValue", "0x8000_0000_0000_0000UL", "255UL"),
    };

    /// <summary>One program: the body expression of F (of a random type, cast to long).</summary>
    public static readonly Gen<string> Program = TypeGen.SelectMany(type => Expression(type, 4).Select(e => $"unchecked((long)({e}))"));

    /// <summary>The probe source of a batch of programs: <c>F0..Fn</c> and their XDP wrappers <c>RunF0..RunFn</c>.</summary>
    public static string Source(IReadOnlyList<string> bodies)
    {
        var sb = new System.Text.StringBuilder("""
            using Ebpf;
            public struct Input { public long A; public long B; }
            [BpfObject]
            public static partial class Generated
            {
                static long Result;
                static readonly HashMap<uint, long> Results = new(maxEntries: 1024);

            """);
        for (int i = 0; i < bodies.Count; i++)
            sb.Append($$"""
                    static long F{{i}}(long a, long b) => {{bodies[i]}};
                    [Xdp]
                    static XdpAction RunF{{i}}(XdpContext ctx)
                    {
                        if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                        long r = F{{i}}(input.A, input.B);
                        Result = r;
                        Results.Update({{i}}u, r);
                        return (r & 1) == 0 ? XdpAction.Pass : XdpAction.Drop;
                    }

                """);
        sb.Append("}\n");
        return sb.ToString();
    }
}
