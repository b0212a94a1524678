using System.Text;

namespace Ebpf.Cli.Tests;

/// <summary>Deep input through the real process (a stack overflow would kill it with exit 134 and an
/// 800 KB trace): a 10,000-statement method and expressions and blocks nested thousands deep build or
/// are reported, exit 0 or 1, never a stack trace.</summary>
public class DeepInputTests
{
    static string Probe(string body) => $$"""
        using Ebpf;
        public struct Input { public long A; public long B; }
        [BpfObject(License = "GPL")]
        public static partial class Deep
        {
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

    public static IEnumerable<object[]> Bodies()
    {
        var huge = new StringBuilder("long s = a;\n");
        for (int i = 0; i < 10_000; i++) huge.Append($"s += b ^ {i};\n");
        yield return new object[] { "10000 statements", huge.Append("return s;").ToString() };
        yield return new object[] { "expression 5000 deep", "return " + new string('(', 5000) + "a" + string.Concat(Enumerable.Repeat(" + b)", 5000)) + ";" };
        yield return new object[] { "blocks 3000 deep", "long s = a; " + new string('{', 3000) + " s += b; " + new string('}', 3000) + " return s;" };
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Deep_input_builds_or_is_reported_never_a_stack_trace(string what, string body)
    {
        var dir = CliRunner.TempDir();
        try
        {
            var source = Path.Combine(dir, "Deep.cs");
            File.WriteAllText(source, Probe(body));
            // A 10,000-statement method takes minutes on a loaded machine: a generous limit, since speed is not the point.
            var cli = Path.Combine(AppContext.BaseDirectory, "Ebpf.Cli.dll");
            var run = Ebpf.TestSupport.ExternalTool.RunWithTimeout("dotnet", TimeSpan.FromMinutes(15), cli, "build", source, "-o", Path.Combine(dir, "out"));
            var r = new CliRunner.Result(run.ExitCode, run.StdOut.ReplaceLineEndings("\n"), run.StdErr.ReplaceLineEndings("\n"));
            Assert.True(r.ExitCode is 0 or 1, $"{what}: exit {r.ExitCode}\n{r.Error[..Math.Min(2000, r.Error.Length)]}");
            Assert.DoesNotContain("   at ", r.Output + r.Error);
            if (r.ExitCode == 1) Assert.Matches(@"error (EBPF\d{4}|CS\d{4})", r.Output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
