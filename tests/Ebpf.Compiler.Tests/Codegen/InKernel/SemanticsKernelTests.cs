using System.Reflection;
using System.Text;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Differential tests of C# semantics: each case is a C# function of two longs, run by .NET
/// (the reference) and compiled to BPF and run by the kernel (BPF_PROG_TEST_RUN through an XDP
/// program that reads the inputs from the packet and stores the result in a global). Both must
/// agree on every input: 32-bit wrap-around, sign and zero extension, shift-count masking, signed
/// and unsigned division, comparisons, narrow compound assignment, control flow, structs, calls.</summary>
public class SemanticsKernelTests(ITestOutputHelper output)
{
    /// <summary>Name and body of <c>static long NAME(long a, long b)</c>.</summary>
    public static readonly (string Name, string Body)[] Cases =
    {
        ("Add32", "return (int)a + (int)b;"),
        // A struct passed by value to a call that is not inlined, which assigns its copy (found by the random
        // differential generator): the caller's struct must keep its value, also when passed twice.
        ("NotInlinedCalleeAssignsItsStructCopy", "var p = new Pair { X = (int)a, Y = (int)b }; long r = BumpCopy(p); return r * 31 + p.X * 7 + p.Y;"),
        ("NotInlinedCalleeAssignsOneOfTwoCopies", "var p = new Pair { X = (int)a, Y = (int)b }; long r = 0; for (int i = 0; i < 3; i++) { p.Y += BumpFirst(p, (int)b, p); r = r * 31 + p.X; } return r ^ p.Y;"),
        ("NotInlinedCalleeAssignsTheFirstOfTwoCopies", "var s = new Mixed { L = a << (int)a, I = -(int)b, U = (ushort)b, B = (byte)b, C = (sbyte)(-(int)b) }; for (int i = 0; i < 64; i++) { s.B -= (byte)(int)Five(s, (uint)s.C, (int)s.L, s, (ulong)b); short v = (short)(int)Five(s, (uint)b, (int)b, s, (ulong)b); s.L ^= i; s.L ^= v; } long r = Five(s, 0xFFFFFFFFu, s.C, s, (ulong)b); return ((r * 31 + s.L) * 31 + s.I) * 31 + s.B;"),
        ("NotInlinedCalleeAssignsItsSixteenByteCopy", "var s = new Mixed { L = a, I = (int)b, C = (sbyte)a }; long r = BumpMixed(s); r = r * 31 + BumpMixed(s); return r * 31 + s.I;"),
        // An `in` argument `c ? x : 7`: a location on one path, a value on the other (found by the random differential
        // generator: one path passed the address, the other the number as an address).
        ("InArgumentConditionalOfLocalAndLiteral", "long x = a + 1; return Copy(a > b ? x : 7L) * 3 + Copy(a > b ? 5L : x);"),
        ("InArgumentConditionalOfConstantField", "return Copy(a == b ? 7L : long.MinValue) ^ Copy(a < b ? long.MaxValue : b);"),
        // A loop bound masked after a remainder (found by the random differential generator): the mask is redundant
        // for the compiler, which knows the remainder is below 5, but not for the verifier, which cannot bound a
        // remainder; without the mask it walked the loop until its instruction limit.
        ("LoopBoundMaskedAfterRemainder", "ushort u = (ushort)a; u %= 5; long s = 0; int i = 0; while (i < (u & 15)) { s += i * b; i++; } return s;"),
        // A loop-invariant comparison of two bounded non-constant values in a loop (found by the random differential
        // generator): compared register to register in every round, both ranges shrank on every path, and with the
        // count made precise by the test after the loop the verifier walked to its instruction limit; the comparison
        // is now made once, before the loop.
        ("LoopInvariantComparisonOfTwoValues", "int x = (sbyte)a, y = (sbyte)b, n = 0; for (int i = 0; i < 64; i++) if (x > y) n++; return n == 0 ? 7 : n;"),
        // The same in a loop entered from a branch, which has no block of its own to move the comparison to until LICM
        // makes one.
        ("LoopInvariantComparisonInLoopEnteredByBranch", "int x = (sbyte)a, y = (sbyte)b, n = 0, i = 0; if (a != 5) { do { if (x > y) n++; i++; } while (i < 64); } return n == 0 ? 7 : n;"),
        ("SubUInt32", "return (uint)a - (uint)b;"),
        ("Mul32", "return (int)a * (int)b;"),
        ("Mul64", "return a * b + 7;"),
        ("DivInt32", "return (int)b == 0 || (int)a == int.MinValue && (int)b == -1 ? 0 : (int)a / (int)b;"),
        ("RemInt32", "return (int)b == 0 || (int)b == -1 ? 0 : (int)a % (int)b;"),
        ("DivInt64", "return b == 0 || b == -1 ? 0 : a / b;"),
        ("RemInt64", "return b == 0 || b == -1 ? 0 : a % b;"),
        ("DivUInt32", "return (uint)b == 0 ? 0 : (uint)a / (uint)b;"),
        ("RemUInt64", "return (ulong)b == 0 ? 0 : (long)((ulong)a % (ulong)b);"),
        ("DivByConstants", "return (int)a / 8 + (int)a % 8 + a / 3 + (long)((ulong)a / 10) + (int)a / -4;"),
        ("ShiftLeft32", "return (int)a << (int)b;"),
        ("ShiftRightInt32", "return (int)a >> (int)b;"),
        ("ShiftRightUInt32", "return (uint)a >> (int)b;"),
        ("UnsignedShiftInt32", "return (int)a >>> (int)b;"),
        ("Shifts64", "return (a << (int)b) ^ (a >> (int)b) ^ (long)((ulong)a >> (int)(b + 3));"),
        ("ConstantShiftCountsAreMasked", "int x = (int)a; return (x << 33) + (x >> 35) + (a << 65);"),
        ("SignExtension", "return (sbyte)a + (short)b * 3 + (int)(a >> 8) * 5;"),
        ("ZeroExtension", "return (byte)a + (ushort)b * 3L + (uint)(a >> 8) * 5L;"),
        ("Bitwise", "return ~a ^ (b & 0xFF0F) | (a << 3) & ~(b >> 1);"),
        ("Negation", "return -(int)a + -(long)b + -(uint)(a & 0xffff) + -(short)b;"),
        ("Comparisons", """
            return ((int)a < (int)b ? 1 : 0) + ((uint)a < (uint)b ? 10 : 0) + (a <= b ? 100 : 0)
                + ((ulong)a > (ulong)b ? 1000 : 0) + ((short)a >= (short)b ? 10000 : 0) + ((byte)a == (byte)b ? 100000 : 0);
            """),
        ("NarrowCompoundAssignment", """
            byte x = (byte)a; x += (byte)b; x++; x <<= 3;
            short s = (short)a; s *= 3; s -= (short)b; s >>= 1;
            sbyte t = (sbyte)b; t--; t ^= 0x55;
            return x + s * 1000L + t * 1000000L;
            """),
        ("CharArithmetic", "char c = (char)a; c++; c += (char)b; return c;"),
        ("LogicAndTernary", """
            bool p = a > 0 && b < 10 || a == b;
            bool q = !p ^ (a & 1) == 0;
            return p ? (q ? 1 : 2) : (q ? 3 : 4);
            """),
        ("SwitchExpression", "return (a & 7) switch { 0 => 10, 1 or 2 => 20, > 5 => 30, _ => 40 + b };"),
        ("SwitchStatement", """
            long r = 0;
            switch ((int)(b & 15))
            {
                case 0: r = a; break;
                case 1: case 2: r = a * 2; break;
                case 7: r = -a; goto default;
                default: r += 100; break;
            }
            return r;
            """),
        ("Patterns", "return (a is > 0 and < 100 ? 1 : 0) + (b is 3 or 5 or 7 ? 10 : 0) + (a is not 0 ? 100 : 0);"),
        ("CountedLoop", "long s = 0; for (int i = 0; i < 16; i++) { s += a >> i; if (s > b) break; } return s;"),
        ("LoopWithVariableBound", "int n = (int)(b & 15); long s = 1; int i = 0; while (i < n) { s = s * 31 + a; i++; } return s;"),
        ("ByteSwaps", "return BinaryPrimitives.ReverseEndianness((uint)a) + BinaryPrimitives.ReverseEndianness((ushort)b) + (long)BinaryPrimitives.ReverseEndianness((ulong)a ^ 1);"),
        ("Structs", """
            var p = new Pair { X = (int)a, Y = (int)b };
            var q = p;
            q.X += 1;
            Swap(ref q);
            var w = new Wide { P = q, Z = (short)a };
            return p.X * 1000L + q.X + q.Y * 7L + w.P.X + w.Z;
            """),
        ("StructResults", "var p = MakePair(a, b); var q = MakePairNoInline(b, a); return Sum(MakePair(p.Y, q.X)) * 1000 + p.X - q.Y;"),
        ("RefLocals", "var w = new Wide { P = MakePair(a, b), Z = 3 }; ref Pair inner = ref w.P; inner.X += 5; ref int y = ref inner.Y; y *= 2; return w.P.X * 100L + w.P.Y + w.Z;"),
        ("FixedBuffers", "var r = new Rec(); r.Comm[0] = (byte)a; r.Comm[3] = (byte)b; int i = (int)(b & 7); r.Comm[i] += 5; return r.Comm[0] + r.Comm[3] * 256 + r.Comm[i] * 65536L + r.A;"),
        ("InlineArrays", "Name16 n = default; n[1] = (byte)a; int i = (int)(b & 15); n[i] = 9; return n[1] + n[i] * 100 + n[15];"),
        ("StackAlloc", "byte* p = stackalloc byte[16]; p[0] = (byte)a; p[(int)(b & 15)] = 7; long s = 0; for (int i = 0; i < 16; i++) s += p[i] * (i + 1); return s;"),
        ("GenericMethods", "var p = Pick(a > b, MakePair(a, b), MakePair(b, a)); var q = Copy(in p); return Pick(a < 0, a, b) + Size<Pair>() * 100 + q.X + q.Y * 3L + Widen(p) + Widen((byte)a) + Widen((short)b);"),
        ("Constructors", "var v = new Vec(a, b); var w = new Vec(v.Y, 7) { }; var z = new Vec(); return v.X + v.Y * 3 + w.X * 5 + w.Y + z.X;"),
        ("StructMembers", "var c = new Counter { Hits = (int)a, Limit = b }; c.Add(5); c.Hits *= 2; var d = c; d.Add((int)b); return c.Total() * 1000 + d.Total() + (c.Over() ? 1 : 0) + c.TotalNoInline();"),
        ("BpfToBpfCall", "return Mix(a, b) + Mix(b, a) * 3;"),
        ("RefAndOutParameters", "long x = a; Bump(ref x, b); return TryHalf(x, out long h) ? h : -h;"),
        ("Enums", """
            var c = (Color)(a & 3);
            var f = Flags.A | (b > 0 ? Flags.C : Flags.B);
            if ((f & Flags.C) != 0) f |= Flags.D;
            return (long)c * 100 + (byte)f + (c == Color.Blue ? 1000 : 0);
            """),
        ("ManyValuesLiveAcrossCalls", """
            long x0 = a + 1, x1 = a * 3, x2 = b - 5, x3 = a ^ b, x4 = a >> 3, x5 = b << 2, x6 = a | 77, x7 = b & 0x3ff;
            long x8 = a - b, x9 = b * 11, x10 = ~a, x11 = a * b;
            long m = Mix(x0, x1);
            long n = Mix(m, x2);
            return m + n + x0 + x1 * 2 + x2 * 3 + x3 * 4 + x4 * 5 + x5 * 6 + x6 * 7 + x7 * 8 + x8 * 9 + x9 * 10 + x10 * 11 + x11 * 12;
            """),
        ("LoopSwap", "long x = a, y = b; int n = (int)(a & 7); for (int i = 0; i < n; i++) { long t = x; x = y; y = t; } return x * 3 + y;"),
        ("LoopFibonacci", "long x = a & 0xff, y = b & 0xff; for (int i = 0; i < (int)(b & 31); i++) { long t = x + y; x = y; y = t; } return y;"),
        ("Globals", "Counter += a & 0xff; Total = Counter * Scale + Initial; return Total;"),
        ("InterlockedOnGlobal", "Interlocked.Add(ref Counter2, b & 0xff); long old = Interlocked.Exchange(ref Slot, a); return Interlocked.Increment(ref Counter2) * 1000 + old + Interlocked.CompareExchange(ref Slot, 5, a);"),
    };

    /// <summary>Inputs: edges of the integer ranges plus seeded random pairs.</summary>
    public static IEnumerable<(long A, long B)> Inputs()
    {
        var fixedPairs = new (long, long)[]
        {
            (0, 0), (1, 2), (-1, 1), (2, -1), (int.MaxValue, 1), (int.MinValue, -1), (int.MinValue, 1), (uint.MaxValue, 31),
            (long.MaxValue, long.MinValue), (0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321), (-7, 2), (7, -2), (-7, -2),
            (255, 256), (65535, 33), (-128, 64), (0x8000_0000, 31), (100, 7), (3, 5), (-100, 3), (5, 0), (0, 5),
        };
        foreach (var p in fixedPairs) yield return p;
        var random = new Random(20261125);
        for (int i = 0; i < 20; i++) yield return (random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 60), random.NextInt64(-1000, 1000));
    }

    public static string Source()
    {
        var sb = new StringBuilder();
        sb.Append("""
            using System.Buffers.Binary;
            using System.Runtime.CompilerServices;
            using System.Threading;
            using Ebpf;

            public struct Input { public long A; public long B; }
            public struct Pair { public int X; public int Y; }
            public struct Mixed { public long L; public int I; public ushort U; public byte B; public sbyte C; }
            public struct Wide { public byte Tag; public Pair P; public short Z; }
            public unsafe struct Rec { public int A; public fixed byte Comm[16]; }
            public struct Vec
            {
                public long X, Y;
                public Vec(long x, long y) { X = x; Y = y * 2; }
            }
            public struct Counter
            {
                public int Hits { get; set; }
                public long Limit { get; set; }
                public void Add(int n) { Hits += n; }
                public readonly long Total() => Hits + Limit;
                public readonly bool Over() => Hits > Limit;
                [MethodImpl(MethodImplOptions.NoInlining)] public readonly long TotalNoInline() => Total() * 3;
            }
            [InlineArray(16)] public struct Name16 { byte _e; }
            public enum Color : byte { Red, Green, Blue, Black }
            [System.Flags] public enum Flags : byte { A = 1, B = 2, C = 4, D = 128 }

            [BpfObject]
            public static unsafe partial class Cases
            {
                static long Result;
                static long Counter;
                static long Counter2;
                static long Slot;
                static long Total;
                static long Initial = 11;
                static readonly long Scale = 3;

                static void Swap(ref Pair p) { int t = p.X; p.X = p.Y; p.Y = t; }
                [MethodImpl(MethodImplOptions.NoInlining)] static long Mix(long x, long y) => x * 31 + (y ^ (x >> 3));
                [MethodImpl(MethodImplOptions.NoInlining)] static void Bump(ref long x, long by) { x += by; }
                static bool TryHalf(long v, out long half) { half = v / 2; return (v & 1) == 0; }
                static Pair MakePair(long x, long y) => new Pair { X = (int)x, Y = (int)(y >> 1) };
                [MethodImpl(MethodImplOptions.NoInlining)] static Pair MakePairNoInline(long x, long y) { var p = new Pair { X = (int)(x * 3) }; p.Y = (int)y; return p; }
                static long Sum(Pair p) => (long)p.X + p.Y;
                [MethodImpl(MethodImplOptions.NoInlining)] static long BumpCopy(Pair p) { p.X += 5; return p.X; }
                [MethodImpl(MethodImplOptions.NoInlining)] static long BumpMixed(Mixed m) { m.I += 0x5555; return m.C | m.I; }
                [MethodImpl(MethodImplOptions.NoInlining)] static long Five(Mixed p0, uint p1, int p2, Mixed p3, ulong p4) { p0.I += 0x5555; return p0.C | p0.I; }
                [MethodImpl(MethodImplOptions.NoInlining)] static int BumpFirst(Pair p, int by, Pair q) { p.X += by; q.Y ^= 3; return p.X - q.X + q.Y; }
                static T Pick<T>(bool first, T x, T y) where T : unmanaged => first ? x : y;
                static int Size<T>() where T : unmanaged => sizeof(T);
                static T Copy<T>(in T value) where T : unmanaged { T copy = value; return copy; }
                [MethodImpl(MethodImplOptions.NoInlining)] static long Widen<T>(T value) where T : unmanaged { T local = value; return sizeof(T) * 1000L + Size<T>(); }

            """);
        foreach (var (name, body) in Cases)
        {
            sb.Append($$"""
                    static long {{name}}(long a, long b)
                    {
                        {{body.Replace("\n", "\n            ")}}
                    }

                    [Xdp]
                    static XdpAction Run{{name}}(XdpContext ctx)
                    {
                        if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                        Result = {{name}}(input.A, input.B);
                        return XdpAction.Pass;
                    }

                """);
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    [SkippableFact]
    public void Every_case_gives_the_dotnet_result_in_the_kernel()
    {
        Kernel.RequireBpf();
        var source = Source();
        var assembly = TestCompilations.EmitAndLoad(TestCompilations.Create(source, "Cases.cs"));
        var cases = assembly.GetType("Cases")!;
        using var probe = LoadedProbe.Load(source, "Cases.cs");

        var failures = new List<string>();
        int checkedCount = 0;
        foreach (var (name, _) in Cases)
        {
            var method = cases.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
            foreach (var (a, b) in Inputs())
            {
                long expected = (long)method.Invoke(null, new object[] { a, b })!;
                var packet = new byte[16];
                BitConverter.TryWriteBytes(packet.AsSpan(0), a);
                BitConverter.TryWriteBytes(packet.AsSpan(8), b);
                uint verdict = probe.RunXdp("Run" + name, packet);
                long actual = probe.Global<long>("Result");
                checkedCount++;
                if (verdict != 2 || actual != expected)
                    failures.Add($"{name}({a}, {b}): .NET {expected}, BPF {actual} (verdict {verdict})");
            }
        }
        output.WriteLine($"{Cases.Length} cases, {checkedCount} runs");
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>Where C# throws, BPF cannot: the code generator gives BPF's results (documented on
    /// EBPF2103): <c>x / 0 == 0</c>, <c>x % 0 == x</c>, <c>MinValue / -1 == MinValue</c>, <c>MinValue % -1 == 0</c>.</summary>
    [SkippableFact]
    public void Division_by_zero_and_overflow_give_the_documented_bpf_results()
    {
        Kernel.RequireBpf();
        const string source = """
            using Ebpf;
            public struct Input { public long A; public long B; }
            [BpfObject]
            public static partial class Division
            {
                static long Quotient32, Remainder32, Quotient64, Remainder64, UQuotient, URemainder;
                [Xdp]
                static XdpAction Run(XdpContext ctx)
                {
                    if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                    Quotient32 = (int)input.A / (int)input.B;
                    Remainder32 = (int)input.A % (int)input.B;
                    Quotient64 = input.A / input.B;
                    Remainder64 = input.A % input.B;
                    UQuotient = (long)((ulong)input.A / (ulong)input.B);
                    URemainder = (long)((ulong)input.A % (ulong)input.B);
                    return XdpAction.Pass;
                }
            }
            """;
        using var probe = LoadedProbe.Load(source, "Division.cs");
        long[] Run(long a, long b)
        {
            var packet = new byte[16];
            BitConverter.TryWriteBytes(packet.AsSpan(0), a);
            BitConverter.TryWriteBytes(packet.AsSpan(8), b);
            Assert.Equal(2u, probe.RunXdp("Run", packet));
            return new[] { "Quotient32", "Remainder32", "Quotient64", "Remainder64", "UQuotient", "URemainder" }.Select(probe.Global<long>).ToArray();
        }
        Assert.Equal(new long[] { 0, -7, 0, -7, 0, -7 }, Run(-7, 0));
        // int.MinValue / -1 wraps in 32 bits and not in 64; unsigned division is plain.
        Assert.Equal(new long[] { int.MinValue, 0, 2147483648L, 0, 0, int.MinValue }, Run(int.MinValue, -1));
        Assert.Equal(new long[] { 0, 0, long.MinValue, 0, 0, long.MinValue }, Run(long.MinValue, -1));
    }
}
