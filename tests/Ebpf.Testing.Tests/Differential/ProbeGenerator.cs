using System.Collections.Immutable;
using CsCheck;

namespace Ebpf.Testing.Tests.Differential;

/// <summary>Random valid probes, as CsCheck generators (so a failure shrinks to a small program). A program is the text
/// of <c>static long F@(long a, long b)</c> and the static methods it calls, <c>@</c> standing for the program's index in
/// its batch (<see cref="Source"/> replaces it); an XDP wrapper reads a and b from the packet, calls F, stores the result
/// in a global and a hash map, and returns a verdict from it. A third of the programs are a single expression
/// (<see cref="ExpressionProgram"/>); the rest are statement programs (<see cref="StatementProgram"/>): locals of every
/// integer type and of the struct <c>S</c>, assignments and compound assignments, nested if/else, early returns,
/// switches, bounded for/while/do loops with break and continue, calls to static methods (inlined or BPF-to-BPF, structs
/// by value or <c>in</c>), map operations on four maps (hash and array, of long and of S) with null checks, ref
/// updates, atomics, update flags and deletes, and a queue and a stack of the program's own (push, pop, peek); expressions
/// also swap bytes (<c>BinaryPrimitives.ReverseEndianness</c>). Each program keeps to its own keys of the shared maps (<c>@ * 8</c> .. <c>@ * 8 + 7</c>), so the
/// programs of a batch do not interfere.</summary>
public static class ProbeGenerator
{
    /// <summary>Keys of the maps each program owns.</summary>
    public const int KeysPerProgram = 8;

    /// <summary>The maps of a generated object, by name, with their value type (for reading them back).</summary>
    public static readonly string[] MapNames = ["Hash", "HashS", "Arr", "ArrS"];

    static readonly string[] ExpressionTypes = ["int", "uint", "long", "ulong"];
    static readonly string[] LocalTypes = ["sbyte", "byte", "short", "ushort", "int", "uint", "long", "ulong"];
    static readonly Gen<string> ExpressionTypeGen = Gen.OneOf(ExpressionTypes);

    /// <summary>The expressions over the inputs a and b alone (the expression programs).</summary>
    static readonly Expressions Inputs = new(Scope.Inputs);

    /// <summary>An expression of C# type <paramref name="type"/> over a and b, nested at most <paramref name="depth"/> deep.</summary>
    public static Gen<string> Expression(string type, int depth) => Inputs.Of(type, depth);

    /// <summary>A program whose F is one expression of a random type, cast to long.</summary>
    public static readonly Gen<string> ExpressionProgram = ExpressionTypeGen.SelectMany(type => Expression(type, 4))
        .Select(e => $"static long F@(long a, long b) => unchecked((long)({e}));\n");

    /// <summary>A program of statements: helper methods, then F's body.</summary>
    public static readonly Gen<string> StatementProgram = Gen.Int[0, 2].SelectMany(n => Helpers(n)).SelectMany(helpers =>
    {
        var scope = Scope.Inputs with { Helpers = [.. helpers.Select(h => h.Signature)] };
        return Gen.Select(StructInit(Scope.Inputs), Gen.Int[1, 6]).SelectMany((init, count) =>
        {
            var top = scope.Declare("s", "S");
            return Block(top, count, depth: 0).SelectMany(body => new Expressions(body.Scope).Of("long", 2).Select(result =>
            {
                var sb = new System.Text.StringBuilder();
                foreach (var helper in helpers) sb.Append(helper.Text);
                foreach (var (map, type) in new[] { ("Queue@", "QueueMap"), ("Stack@", "StackMap") })
                    if (body.Text.Contains(map + "."))
                        sb.Append($"static readonly {type}<long> {map} = new(maxEntries: 3);\n");
                sb.Append("static long F@(long a, long b)\n{\n    unchecked\n    {\n");
                sb.Append($"        S s = {init};\n");
                sb.Append(body.Text);
                // Every variable still in scope feeds the result, so a wrong value anywhere shows in it.
                sb.Append($"        long r = (long)({result});\n");
                foreach (var v in body.Scope.Numeric.Where(v => v.Name is not ("a" or "b")))
                    sb.Append($"        r = r * 31 + (long){v.Name};\n");
                sb.Append("        return r;\n    }\n}\n");
                return sb.ToString();
            }));
        });
    });

    /// <summary>One program: a third expression programs, the rest statement programs.</summary>
    public static readonly Gen<string> Program = Gen.Frequency((1, ExpressionProgram), (2, StatementProgram));

    // ---- statements ----

    /// <summary>A statement's text and the scope after it.</summary>
    readonly record struct Emitted(string Text, Scope Scope);

    const int MaxDepth = 3;

    /// <summary>Loops per program. Each exit of a loop is a state the verifier carries into what follows, so loops in
    /// sequence multiply its work: three (of 6, 16 and 8 iterations, with branches) walked past its million instructions.</summary>
    const int MaxLoops = 2;

    static int LoopsIn(string text) => text.Split("for (int ").Length - 1 + text.Split("while (").Length - 1;

    /// <summary><paramref name="count"/> statements in sequence, each seeing the locals the ones before declared.</summary>
    static Gen<Emitted> Block(Scope scope, int count, int depth)
        => count == 0 ? Gen.Const(new Emitted("", scope))
            : Statement(scope, depth).SelectMany(first => Block(first.Scope, count - 1, depth).Select(rest => new Emitted(first.Text + rest.Text, rest.Scope)));

    /// <summary>A nested block of 0..<paramref name="max"/> statements, in braces, declaring its locals one level deeper.</summary>
    static Gen<string> Nested(Scope scope, int depth, int max, Func<Scope, Scope>? enter = null)
    {
        var inner = scope with { Depth = depth + 1, Next = 0 };
        if (enter is not null) inner = enter(inner);
        // The block's own locals feed s.L before they go out of scope, so their values show in the result too.
        return Gen.Int[0, max].SelectMany(n => Block(inner, n, depth + 1)).Select(b => $"{Indent(depth)}{{\n{b.Text}"
            + string.Concat(b.Scope.Numeric.Skip(scope.Numeric.Count()).Select(v => $"{Indent(depth + 1)}s.L ^= (long){v.Name};\n"))
            + $"{Indent(depth)}}}\n");
    }

    static string Indent(int depth) => new(' ', 8 + 4 * depth);

    static Gen<Emitted> Statement(Scope scope, int depth)
    {
        var e = new Expressions(scope);
        string pad = Indent(depth);
        // A long loop's body: straight-line code, so each iteration is one path for the verifier.
        if (scope.Flat) return Gen.Frequency((1, Declaration(scope, e, pad, 1)), (3, Assignment(scope, e, pad, 1)));
        var simple = new List<(int, Gen<Emitted>)>
        {
            (3, Declaration(scope, e, pad, 2)),
            (5, Assignment(scope, e, pad, 2)),
            (1, Gen.Select(Condition(e), e.Of("long", 2), (c, r) => new Emitted($"{pad}if ({c}) return {r};\n", scope))),
            (4, MapStatement(scope, e, pad)),
        };
        if (scope.InLoop)
            simple.Add((1, Gen.Select(Condition(e), Gen.OneOf("break", "continue"), (c, k) => new Emitted($"{pad}if ({c}) {k};\n", scope))));
        if (depth >= MaxDepth) return Gen.Frequency([.. simple]);
        simple.Add((2, IfElse(scope, e, depth)));
        simple.Add((1, Switch(scope, e, depth)));
        if (scope.LoopDepth < 2 && scope.Loops < MaxLoops) simple.Add((2, Loop(scope, e, depth)));
        return Gen.Frequency([.. simple]);
    }

    static Gen<Emitted> Declaration(Scope scope, Expressions e, string pad, int size)
    {
        string name = scope.NewName("v");
        var numeric = Gen.OneOf(LocalTypes).SelectMany(type => e.Of(ExpressionTypes.Contains(type) ? type : "int", size)
            .Select(init => new Emitted($"{pad}{type} {name} = ({type})({init});\n", scope.Declare(name, type))));
        var structure = Gen.Frequency(
            (1, StructInit(scope)),
            (1, Gen.OneOf([.. scope.Vars.Where(v => v.Type == "S").Select(v => v.Name)])))   // a copy: later writes must not alias
            .Select(init => new Emitted($"{pad}S {name} = {init};\n", scope.Declare(name, "S")));
        return Gen.Frequency((4, numeric), (1, structure));
    }

    /// <summary>An S value: default, or an object initializer setting some of its fields.</summary>
    static Gen<string> StructInit(Scope scope)
    {
        var e = new Expressions(scope);
        return Gen.Frequency(
            (1, Gen.Const("default(S)")),
            (3, Gen.Select(e.Of("long", 1), e.Of("int", 1), e.Of("uint", 1), Gen.Bool,
                (l, i, u, all) => all ? $"new S {{ L = (long)({l}), I = (int)({i}), U = (ushort)({u}), B = (byte)({u}), C = (sbyte)({i}) }}"
                    : $"new S {{ I = (int)({i}), L = (long)({l}) }}")));
    }

    static Gen<Emitted> Assignment(Scope scope, Expressions e, string pad, int size)
    {
        var targets = scope.Numeric.Where(v => v.Assignable).ToArray();
        return Gen.OneOf(targets).SelectMany(v =>
        {
            string t = v.Type;
            string wide = ExpressionTypes.Contains(t) ? t : "int";
            bool unsigned = t is "byte" or "ushort" or "uint" or "ulong";
            return Gen.Frequency(
                (3, e.Of(wide, size).Select(x => $"{pad}{v.Name} = ({t})({x});\n")),
                (4, Gen.Select(Gen.OneOf("+=", "-=", "*=", "&=", "|=", "^="), e.Of(wide, size), (op, x) => $"{pad}{v.Name} {op} ({t})({x});\n")),
                (2, Gen.Select(Gen.OneOf("<<=", ">>=", ">>>="), e.Of("int", 1), (op, x) => $"{pad}{v.Name} {op} (int)({x});\n")),
                (1, unsigned
                    ? Gen.Select(Gen.OneOf("/=", "%="), e.Of(wide, 1), (op, x) => $"{pad}{v.Name} {op} ({t})(({x}) | 1);\n")
                    : Gen.Select(Gen.OneOf("/=", "%="), Gen.Int[1, 40], (op, c) => $"{pad}{v.Name} {op} ({t}){c};\n")),
                (1, Gen.OneOf("++", "--").Select(op => $"{pad}{v.Name}{op};\n")));
        }).Select(text => new Emitted(text, scope));
    }

    static Gen<Emitted> IfElse(Scope scope, Expressions e, int depth)
        => Gen.Select(Condition(e), Nested(scope, depth, 2), Gen.Frequency((1, Gen.Const("")), (1, Nested(scope, depth, 2))),
            (c, then, otherwise) => Counted($"{Indent(depth)}if ({c})\n{then}{(otherwise.Length == 0 ? "" : $"{Indent(depth)}else\n{otherwise}")}", scope));

    /// <summary>A compound statement, the loops in it counted against <see cref="MaxLoops"/>.</summary>
    static Emitted Counted(string text, Scope scope) => new(text, scope with { Loops = scope.Loops + LoopsIn(text) });

    static Gen<Emitted> Switch(Scope scope, Expressions e, int depth)
    {
        string pad = Indent(depth);
        var section = Nested(scope, depth + 1, 2);
        return Gen.Select(e.Of("int", 2), Gen.Int[0, 3], section, section, section,
            (x, first, s0, s1, s2) => Counted(
                $"{pad}switch (({x}) & 7)\n{pad}{{\n"
                + $"{pad}    case {first}:\n{s0}{pad}        break;\n"
                + $"{pad}    case {first + 4}:\n{pad}    case {(first + 1) % 4}:\n{s1}{pad}        break;\n"
                + $"{pad}    default:\n{s2}{pad}        break;\n{pad}}}\n", scope));
    }

    /// <summary>A for loop, or a while/do loop counting up (first, so <c>continue</c> cannot skip the count); the counter
    /// is read-only in the body. The verifier walks every iteration of every path, so the work is kept small: a short
    /// loop (at most 8 iterations, a constant or an input masked with 3 or 7) may hold other statements and one more loop
    /// of at most 4; a long one (16 to 64 iterations) holds at most two declarations or assignments.</summary>
    static Gen<Emitted> Loop(Scope scope, Expressions e, int depth)
    {
        string pad = Indent(depth);
        bool inner = scope.LoopDepth > 0;
        // Masked bounds read the inputs only, and the inputs are never assigned. Over a computed local the optimizer may
        // drop the mask it proves redundant (`s.U %= 5` ... `i < (s.U & 15)`), and the verifier, which does not bound
        // a modulo's result, then walks the loop past its million instructions: a known compiler limitation (the
        // optimizer removes a bound only the verifier needed), recorded rather than generated.
        string[] masks = ["a", "b"];
        Gen<string> Masked(params int[] m) => Gen.Select(Gen.OneOf(masks), Gen.OneOf(m), (v, k) => $"(int)({v} & {k})");
        var shortBound = inner
            ? Gen.Frequency((2, Gen.Int[0, 4].Select(n => n.ToString())), (1, Masked(3)))
            : Gen.Frequency((2, Gen.Int[0, 8].Select(n => n.ToString())), (1, Masked(3, 7)));
        var longBound = Gen.Frequency((2, Gen.OneOf("16", "33", "64")), (1, Masked(15, 63)));
        string counter = scope.NewName(inner ? "j" : "i");
        var after = scope.Declare(counter, "int", assignable: false);
        Scope Enter(Scope s, bool flat) => s with
        {
            InLoop = true, Flat = s.Flat || flat, LoopDepth = scope.LoopDepth + 1, Vars = s.Vars.Add(new Var(counter, "int", false)),
        };
        // A long loop is the program's only one and its last (two in sequence, 64 exits into 64 iterations with a
        // branch, walked past the verifier's million instructions).
        var loop = Gen.Frequency(
            (3, Gen.Select(shortBound, Nested(scope, depth, 3, s => Enter(s, flat: false)), (n, body) => (n, body, last: false))),
            (inner || scope.Loops > 0 ? 0 : 1, Gen.Select(longBound, Nested(scope, depth, 2, s => Enter(s, flat: true)), (n, body) => (n, body, last: true))));
        return Gen.Select(Gen.Int[0, 2], loop, (kind, l) => Last(l.last, kind switch
        {
            0 => Counted($"{pad}for (int {counter} = 0; {counter} < {l.n}; {counter}++)\n{l.body}", after with { Vars = scope.Vars }),
            1 => Counted($"{pad}int {counter} = 0;\n{pad}while ({counter} < {l.n})\n{pad}{{\n{pad}    {counter}++;\n{l.body}{pad}}}\n", after),
            _ => Counted($"{pad}int {counter} = 0;\n{pad}do\n{pad}{{\n{pad}    {counter}++;\n{l.body}{pad}}} while ({counter} < {l.n});\n", after),
        }));

        static Emitted Last(bool last, Emitted loop) => last ? loop with { Scope = loop.Scope with { Loops = MaxLoops } } : loop;
    }

    /// <summary>A comparison that is never constant (its left side reads a variable), so no branch is unreachable.</summary>
    static Gen<string> Condition(Expressions e)
        => ExpressionTypeGen.SelectMany(type => Gen.Select(Gen.OneOf("<", "<=", ">", ">=", "==", "!="), e.Variable(type), e.Of(type, 1),
            (op, l, r) => $"{l} {op} {r}"));

    /// <summary>One map operation in a block of its own. A ref into a map value is used before any update of the map:
    /// a kernel hash map update replaces the element, and the old one may be reused.</summary>
    static Gen<Emitted> MapStatement(Scope scope, Expressions e, string pad)
    {
        var targets = scope.Numeric.Where(v => v.Assignable).Select(v => (v.Name, v.Type)).ToArray();
        var target = Gen.OneOf(targets);
        var structs = scope.Vars.Where(v => v.Type == "S").Select(v => v.Name).ToArray();
        var key = e.Of("int", 1).Select(k => $"uint mk = (uint)(@ * {KeysPerProgram} + (({k}) & {KeysPerProgram - 1}));");
        var value = e.Of("long", 2);
        var atomic = Gen.Select(Gen.OneOf("Add", "Exchange", "And", "Or", "Increment", "CompareExchange"), value, value,
            (op, x, y) => op switch
            {
                "Increment" => "Interlocked.Increment(ref mr)",
                "CompareExchange" => $"Interlocked.CompareExchange(ref mr, {x}, {y})",
                _ => $"Interlocked.{op}(ref mr, {x})",
            });
        var forms = new List<Gen<string>>
        {
            // A counter: inserted when missing, else added to through the ref, or atomically.
            Gen.Select(Gen.OneOf("Hash", "Arr"), value, Gen.Frequency((1, value.Select(x => $"mr += {x};")), (2, Gen.Select(atomic, target, (a, t) => $"{t.Name} = ({t.Type})({a});"))),
                (map, x, update) => $"ref long mr = ref {map}.Lookup(mk); if (Unsafe.IsNullRef(ref mr)) {map}.Update(mk, {x}); else {{ {update} }}"),
            Gen.Select(Gen.OneOf("Hash", "Arr"), target, value, (map, t, x) => $"if ({map}.TryGetValue(mk, out long mv)) {t.Name} = ({t.Type})(mv ^ {x}); else {t.Name} = ({t.Type})({x});"),
            Gen.Select(Gen.OneOf("Hash", "Arr"), target, value, Gen.OneOf("MapUpdate.Any", "MapUpdate.NoExist", "MapUpdate.Exist"),
                (map, t, x, flag) => $"{t.Name} = ({t.Type})({map}.Update(mk, {x}, {flag}));"),
            Gen.Select(Gen.OneOf("Hash", "Arr"), target, (map, t) => $"{t.Name} = ({t.Type})({map}.Delete(mk));"),
            Gen.Select(Gen.OneOf("HashS", "ArrS"), Gen.OneOf(structs), Gen.OneOf("ms.I += (int)mt.L;", "ms.U ^= (ushort)mt.I;", "Interlocked.Add(ref ms.L, mt.I);", "ms = mt;", "ms.B = (byte)(ms.B + mt.C);"),
                (map, s, update) => $"ref S ms = ref {map}.Lookup(mk); S mt = {s}; if (Unsafe.IsNullRef(ref ms)) {map}.Update(mk, {s}); else {{ {update} }}"),
            Gen.Select(Gen.OneOf("HashS", "ArrS"), Gen.OneOf(structs), (map, s) => $"if ({map}.TryGetValue(mk, out S mv)) {s} = mv; else {s}.L++;"),
            Gen.Select(Gen.OneOf("HashS", "ArrS"), Gen.OneOf(structs), Gen.OneOf("MapUpdate.Any", "MapUpdate.NoExist", "MapUpdate.Exist"), target,
                (map, s, flag, t) => $"{t.Name} = ({t.Type})({map}.Update(mk, in {s}, {flag}));"),
            // The program's own queue and stack (declared with it): push (Exist overwrites the oldest when full), pop, peek.
            Gen.Select(Gen.OneOf("Queue@", "Stack@"), value, Gen.OneOf("MapUpdate.Any", "MapUpdate.Exist"), target,
                (map, x, flag, t) => $"{t.Name} = ({t.Type})({map}.Push({x}, {flag}));"),
            Gen.Select(Gen.OneOf("Queue@", "Stack@"), Gen.OneOf("Pop", "Peek"), target, value,
                (map, op, t, x) => $"if ({map}.{op}(out long mv) == 0) {t.Name} = ({t.Type})(mv + {x}); else {t.Name} ^= ({t.Type})({x});"),
        };
        return Gen.Select(key, Gen.OneOf([.. forms]), (k, op) => new Emitted($"{pad}{{ {k} {op} }}\n", scope));
    }

    // ---- helper methods ----

    readonly record struct Helper(string Text, HelperSignature Signature);

    static readonly string[] ParameterKinds = ["int", "uint", "long", "ulong", "S", "in S"];

    /// <summary><paramref name="count"/> static methods G@_0.. of 1..5 parameters (the BPF-to-BPF limit), each with no
    /// attribute (the compiler's choice), NoInlining (a BPF-to-BPF call) or AggressiveInlining.</summary>
    static Gen<Helper[]> Helpers(int count)
    {
        var helpers = Enumerable.Range(0, count).Select(k => Gen.OneOf(ParameterKinds).Array[1, 5].SelectMany(kinds =>
        {
            var parameters = kinds.Select((kind, i) => (Name: $"p{i}", Kind: kind)).ToArray();
            var scope = Scope.Empty;
            foreach (var (name, kind) in parameters)
                scope = scope.Declare(name, kind == "in S" ? "S" : kind, assignable: kind != "in S");
            var e = new Expressions(scope);
            string? byValue = parameters.Where(p => p.Kind == "S").Select(p => p.Name).FirstOrDefault();
            return Gen.Select(Gen.OneOf("", "[MethodImpl(MethodImplOptions.NoInlining)] ", "[MethodImpl(MethodImplOptions.AggressiveInlining)] "),
                e.Of("long", 2), e.Of("int", 1), (attribute, body, write) =>
                {
                    // A write to a by-value struct parameter must not reach the caller's copy.
                    string mutate = byValue is null ? "" : $"{byValue}.I += {write}; ";
                    string list = string.Join(", ", parameters.Select(p => $"{p.Kind} {p.Name}"));
                    string name = $"G@_{k}";
                    return new Helper($"{attribute}static long {name}({list}) {{ unchecked {{ {mutate}return (long)({body}); }} }}\n",
                        new HelperSignature(name, [.. kinds]));
                });
        }));
        return All(helpers.ToList());
    }

    /// <summary>One value of each generator, in order.</summary>
    internal static Gen<T[]> All<T>(IReadOnlyList<Gen<T>> gens)
        => gens.Aggregate(Gen.Const(ImmutableList<T>.Empty), (list, gen) => Gen.Select(list, gen, (l, x) => l.Add(x))).Select(l => l.ToArray());

    // ---- source ----

    /// <summary>The probe source of a batch of programs: each program's <c>@</c> replaced by its index, and the XDP
    /// wrappers <c>RunF0..RunFn</c>.</summary>
    public static string Source(IReadOnlyList<string> programs)
    {
        int keys = Math.Max(programs.Count, 1) * KeysPerProgram;
        var sb = new System.Text.StringBuilder($$"""
            using System.Buffers.Binary;
            using System.Runtime.CompilerServices;
            using System.Threading;
            using Ebpf;
            public struct Input { public long A; public long B; }
            public struct S { public long L; public int I; public ushort U; public byte B; public sbyte C; }
            [BpfObject]
            public static partial class Generated
            {
                static long Result;
                static readonly HashMap<uint, long> Results = new(maxEntries: 1024);
                static readonly HashMap<uint, long> Hash = new(maxEntries: {{keys}});
                static readonly HashMap<uint, S> HashS = new(maxEntries: {{keys}});
                static readonly ArrayMap<long> Arr = new(maxEntries: {{keys}});
                static readonly ArrayMap<S> ArrS = new(maxEntries: {{keys}});

            """);
        for (int i = 0; i < programs.Count; i++)
        {
            sb.Append(Instance(programs[i], i));
            sb.Append($$"""
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
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>Program <paramref name="program"/> as the <paramref name="index"/>-th of its batch.</summary>
    public static string Instance(string program, int index) => program.Replace("@", index.ToString());
}

/// <summary>A static method a statement program may call: its name and parameter kinds (<c>int</c>.. or <c>S</c>,
/// <c>in S</c>).</summary>
public sealed record HelperSignature(string Name, ImmutableArray<string> Parameters);

/// <summary>A local or parameter: its name (or <c>s.L</c> for a struct field), type, and whether statements may assign it.</summary>
public sealed record Var(string Name, string Type, bool Assignable);

/// <summary>What a statement sees: the variables in scope, the methods it may call, whether it is in a loop (for
/// break/continue, and how deep, to bound nesting; whether only simple statements may follow), and the block depth and counter that name new locals uniquely
/// (<c>v{depth}_{n}</c>: C# forbids a nested block to reuse an enclosing block's name).</summary>
public sealed record Scope(ImmutableList<Var> Vars, ImmutableArray<HelperSignature> Helpers, bool InLoop, int LoopDepth, int Depth, int Next)
{
    public static readonly Scope Empty = new([], [], false, 0, 0, 0);

    /// <summary>Only declarations and assignments of small expressions: the body of a long loop.</summary>
    public bool Flat { get; init; }

    /// <summary>The loops written so far on the way to this statement (see <c>ProbeGenerator.MaxLoops</c>).</summary>
    public int Loops { get; init; }
    /// <summary>The inputs, read-only (see the masked loop bounds in <c>ProbeGenerator.Loop</c>).</summary>
    public static readonly Scope Inputs = Empty.Declare("a", "long", assignable: false).Declare("b", "long", assignable: false);

    static readonly (string Name, string Type)[] StructFields = [("L", "long"), ("I", "int"), ("U", "ushort"), ("B", "byte"), ("C", "sbyte")];

    /// <summary>The integer variables, struct fields included.</summary>
    public IEnumerable<Var> Numeric => Vars.SelectMany(v => v.Type == "S"
        ? StructFields.Select(f => new Var($"{v.Name}.{f.Name}", f.Type, v.Assignable))
        : [v]);

    public string NewName(string prefix) => $"{prefix}{Depth}_{Next}";

    public Scope Declare(string name, string type, bool assignable = true)
        => this with { Vars = Vars.Add(new Var(name, type, assignable)), Next = Next + 1 };
}

/// <summary>Integer expressions over the variables of one scope: int, uint, long and ulong with casts, every arithmetic,
/// bitwise and shift operator, safe division, comparisons and conditionals, and calls to the scope's methods.</summary>
public sealed class Expressions(Scope scope)
{
    readonly Dictionary<(string, int), Gen<string>> _memo = new();
    static readonly Gen<string> TypeGen = Gen.OneOf("int", "uint", "long", "ulong");

    /// <summary>An expression of C# type <paramref name="type"/> nested at most <paramref name="depth"/> deep.</summary>
    public Gen<string> Of(string type, int depth)
    {
        lock (_memo)
        {
            if (_memo.TryGetValue((type, depth), out var memo)) return memo;
            var gen = depth == 0 ? Leaf(type) : Gen.Frequency([

                (2, Leaf(type)),
                (5, Gen.Select(Gen.OneOf("+", "-", "*", "&", "|", "^"), Operand(type, depth - 1), Of(type, depth - 1),
                    (op, l, r) => $"(({type})({l} {op} {r}))")),
                (2, Gen.Select(Gen.OneOf("<<", ">>", ">>>"), Operand(type, depth - 1), Of("int", depth - 1),
                    (op, l, r) => $"(({type})({l} {op} (int)({r})))")),
                (2, Division(type, depth)),
                (2, TypeGen.SelectMany(from => Of(from, depth - 1)).Select(e => $"(({type})({e}))")),
                (1, Of(type, depth - 1).Select(e => $"BinaryPrimitives.ReverseEndianness(({type})({e}))")),
                (1, Gen.Select(Operand(type, depth - 1), Gen.OneOf("~", "-"),
                    (e, op) => op == "-" && type is "uint" or "ulong" ? $"(~{e})" : $"(({type})({op} {e}))")),
                (2, Gen.Select(Comparison(depth - 1), Of(type, depth - 1), Of(type, depth - 1),
                    (c, t, f) => $"({c} ? {t} : {f})")),
                .. (scope.Helpers.IsEmpty ? Array.Empty<(int, Gen<string>)>() : [(1, Call(type))])]);
            _memo[(type, depth)] = gen;
            return gen;
        }
    }

    /// <summary>Division and remainder where .NET does not throw: unsigned by a value made odd, signed by a positive constant.</summary>
    Gen<string> Division(string type, int depth)
        => type is "uint" or "ulong"
            ? Gen.Select(Gen.OneOf("/", "%"), Operand(type, depth - 1), Of(type, depth - 1), (op, l, r) => $"(({type})({l} {op} ({r} | 1)))")
            : Gen.Select(Gen.OneOf("/", "%"), Operand(type, depth - 1), Gen.Int[1, 40], (op, l, c) => $"(({type})({l} {op} {c}))");

    /// <summary>A non-constant operand, so no constant subexpression overflows at compile time.</summary>
    Gen<string> Operand(string type, int depth) => Gen.Frequency((1, Variable(type)), (1, Of(type, depth)));

    Gen<string> Comparison(int depth)
        => TypeGen.SelectMany(type => Gen.Select(Gen.OneOf("<", "<=", ">", ">=", "==", "!="), Operand(type, depth), Of(type, depth),
            (op, l, r) => $"({l} {op} {r})"));

    Gen<string> Leaf(string type) => Gen.Frequency((2, Variable(type)), (1, Constant(type)));

    /// <summary>A variable (or struct field) of any integer type, converted to <paramref name="type"/>.</summary>
    public Gen<string> Variable(string type) => Gen.OneOf([.. scope.Numeric.Select(v => v.Name)]).Select(v => $"(({type}){v})");

    /// <summary>A call of one of the scope's methods, its arguments leaves (struct arguments a struct variable in scope).</summary>
    Gen<string> Call(string type)
    {
        var structs = scope.Vars.Where(v => v.Type == "S").Select(v => v.Name).ToArray();
        return Gen.OneOf([.. scope.Helpers]).SelectMany(helper => ProbeGenerator.All(helper.Parameters.Select(kind => kind switch
        {
            "S" => Gen.OneOf(structs),
            "in S" => Gen.OneOf(structs).Select(s => $"in {s}"),
            _ => Leaf(kind),
        }).ToList()).Select(args => $"(({type}){helper.Name}({string.Join(", ", args)}))"));
    }

    static Gen<string> Constant(string type) => type switch
    {
        "int" => Gen.OneOf("0", "1", "-1", "7", "int.MaxValue", "int.MinValue", "0x5555"),
        "uint" => Gen.OneOf("0u", "1u", "0xFFFFFFFFu", "0x80000000u", "13u"),
        "long" => Gen.OneOf("0L", "-1L", "long.MinValue", "0x1_0000_0000L", "-3L"),
        _ => Gen.OneOf("0UL", "1UL", "ulong.MaxValue", "0x8000_0000_0000_0000UL", "255UL"),
    };
}
