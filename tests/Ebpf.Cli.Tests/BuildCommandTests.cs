namespace Ebpf.Cli.Tests;

public class BuildCommandTests
{
    [Fact]
    public void Errors_print_as_file_line_col_and_nothing_is_written()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var source = Path.Combine(dir, "Bad.Probe.cs");
            File.WriteAllText(source, """
                using Ebpf;
                public class Foo { }
                [BpfObject]
                public static partial class Bad
                {
                    [Xdp]
                    static XdpAction Run(XdpContext ctx)
                    {
                        var f = new Foo();
                        try { return XdpAction.Pass; } finally { }
                    }
                }
                """);
            var outDir = Path.Combine(dir, "out");
            var r = CliRunner.Run("build", source, "-o", outDir);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal(
                $"{source}(9,17): error EBPF1001: 'new Foo()' allocates on the managed heap, which eBPF programs do not have; use a struct, a stack local or a map value\n" +
                $"{source}(10,9): error EBPF1008: try/catch/finally is not supported: eBPF has no exceptions; return an error code instead\n",
                r.Output);
            Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Paths_are_printed_as_given()
    {
        var dir = CliRunner.TempDir();
        var previous = Environment.CurrentDirectory;
        try
        {
            File.WriteAllText(Path.Combine(dir, "P.cs"), "using Ebpf; [BpfObject] public static partial class P { [Xdp] static XdpAction Run(XdpContext ctx) { double d = 1; return XdpAction.Pass; } }");
            Environment.CurrentDirectory = dir;
            var r = CliRunner.Run("build", "P.cs", "-o", "out");
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("P.cs(1,102): error EBPF1010: 'd' uses floating point (double)", r.Output);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_missing_source_file_is_one_error()
    {
        var r = CliRunner.Run("build", "/nonexistent/Missing.cs", "-o", CliRunner.TempDir());
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Output.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error EBPF4001: Cannot read source file '/nonexistent/Missing.cs'", line);
    }

    [Fact]
    public void Usage_errors_exit_nonzero_without_a_stack_trace()
    {
        var r = CliRunner.Run("build");
        Assert.NotEqual(0, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Output + r.Error);
    }
}
