namespace Ebpf.Fuzz.Tests.CSharp;

/// <summary>Inputs the C# fuzz test found crashing an analyzer, kept as regular tests: each goes through the compiler,
/// every analyzer and the generator (<see cref="CompilerAndAnalyzerFuzzTests.Check"/>) without an exception.</summary>
public class AnalyzerFindingsTests
{
    static string Probe(string body) => $$"""
        using Ebpf;
        [BpfObject(License = "GPL")]
        public static partial class Finding
        {
            static long Result;
            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                long s = ctx.RxQueueIndex;
                {{body}}
                Result = s;
                return XdpAction.Pass;
            }
        }
        """;

    /// <summary>The flow rules took every comparison's constant as a decimal: 1e308 overflowed it, a char or a string
    /// cannot be one (FlowAnalyzer threw, the IDE showed AD0001).</summary>
    [Theory]
    [InlineData("double d = s; if (d > 1e308) s = 1;")]
    [InlineData("double d = s; if (d == double.NaN || d < double.NegativeInfinity) s = 1;")]
    [InlineData("char c = (char)s; if (c == 'x') s = 2;")]
    [InlineData("string t = \"a\"; if (t == \"b\") s = 3;")]
    [InlineData("float f = s; if (f != 3.5e38f) s = 4;")]
    public void Comparisons_with_constants_that_are_no_decimal_do_not_crash_the_flow_rules(string body)
        => CompilerAndAnalyzerFuzzTests.Check(Probe(body), body);

    /// <summary>The mutant the fuzz test shrank to: a stray 1e308 token between a for header and its body.</summary>
    [Fact]
    public void A_stray_huge_literal_in_broken_syntax_does_not_crash_the_flow_rules()
        => CompilerAndAnalyzerFuzzTests.Check(Probe("for (int i = 0; i < 1; i++) 1e308{ for (int j = 0; j < 13; j++) { s += 1; } }"), "1e308 stray");

    /// <summary>A map of maps whose inner type does not bind (a mutant fused two tokens: <c>ArrayMapstackalloc</c>):
    /// the object rules took every inner type for a map class and threw (AD0001); they now leave it to the C# error,
    /// and an inner type that binds but is no map class is reported as an unsupported map type at the field.</summary>
    [Theory]
    [InlineData("ArrayMapstackalloc<ulong>")]
    [InlineData("System.Collections.Generic.List<ulong>")]
    public void An_inner_map_type_that_is_no_map_class_does_not_crash_the_object_rules(string inner)
        => CompilerAndAnalyzerFuzzTests.Check($$"""
            using Ebpf;
            [BpfObject(License = "GPL")]
            public static unsafe partial class MapArrayOfMaps
            {
                static readonly ArrayOfMaps<{{inner}}> PerTenant = new(maxEntries: 8, innerMaxEntries: 4);
                static ulong Runs;
                [Xdp] static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
            }
            """, inner);

    /// <summary>A mutant with an unterminated interpolated string as a local's name and an attribute argument fused with
    /// <c>Unsafe</c>: Roslyn itself throws while the object rules ask for an operation in the broken attribute.</summary>
    [Fact]
    public void An_interpolated_string_in_a_broken_attribute_does_not_crash_the_object_rules()
        => CompilerAndAnalyzerFuzzTests.Check("""
            using System;
            using System.Runtime.CompilerServices;
            using System.Runtime.InteropServices;
            using Ebpf;

            [BpfObject(License = "GPL"Unsafe]
            public static unsafe partial class MapTaskStorage
            {
                static readonly TaskStorage<ulong> Syscalls = new();

                [RawTracepoint("sys_enter")]
                static int OnSysEnter(RawTracepointContext ctx)
                {
                    ref ulong $"]
            = ref Syscalls.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);
                    if (!Unsafe.IsNullRef(ref n)) n++;
                    return 0;
                }
            }
            """, "interpolated string in a broken attribute");
}
