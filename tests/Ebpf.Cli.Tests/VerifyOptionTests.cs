using System.Text.Json;
using Ebpf.TestSupport;

namespace Ebpf.Cli.Tests;

/// <summary><c>ebpf build --verify</c>: programs the source rules accept but the running kernel refuses are
/// reported at their C# line with the catalog's class (EBPF22xx), the kernel's reason and the fix; <c>--sarif</c>
/// writes the same diagnostics as SARIF 2.1.0.</summary>
public class VerifyOptionTests
{
    static string Probe(string license, string body) => $$"""
        using Ebpf;

        [BpfObject(License = "{{license}}")]
        public static unsafe partial class VerifyProbe
        {
            static ulong Total;

            [Kprobe("do_sys_openat2")]
            static int Run(PtRegs ctx)
            {
                {{body}}
                return 0;
            }
        }
        """;

    static CliRunner.Result Build(string source, params string[] extra)
    {
        var dir = CliRunner.TempDir();
        var file = Path.Combine(dir, "VerifyProbe.cs");
        File.WriteAllText(file, source);
        return CliRunner.Run(new[] { "build", file, "-o", Path.Combine(dir, "out") }.Concat(extra).ToArray());
    }

    [SkippableFact]
    public void A_program_only_the_kernel_refuses_is_reported_at_its_line()
    {
        // (A GPL-only helper under MIT, this test's first probe, is now caught from source by EBPF2301 before
        // the kernel is asked; a loop of 5 million iterations is only refused by the verifier's 1M-instruction walk.)
        Kernel.RequireBpf();
        var r = Build(Probe("MIT", "for (uint i = 0; i < 5000000; i++) Total += i ^ Total;"), "--verify");
        Assert.Equal(1, r.ExitCode);
        Assert.Matches(@"VerifyProbe\.cs\(11,\d+\): error EBPF2211: BPF program is too large", r.Output);
    }

    [SkippableFact]
    public void Accepted_program_passes_verify()
    {
        Kernel.RequireBpf();
        var r = Build(Probe("GPL", "Total++;"), "--verify");
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.DoesNotContain("EBPF22", r.Output);
    }

    [SkippableFact]
    public void Sarif_log_has_the_kernel_verdict_with_rule_and_region()
    {
        Kernel.RequireBpf();
        var sarif = Path.Combine(CliRunner.TempDir(), "build.sarif");
        var r = Build(Probe("Apache-2.0", "for (uint i = 0; i < 5000000; i++) Total += i ^ Total;"), "--verify", "--sarif", sarif);
        Assert.Equal(1, r.ExitCode);
        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.Equal("2.1.0", log.RootElement.GetProperty("version").GetString());
        var run = log.RootElement.GetProperty("runs")[0];
        Assert.Equal("ebpf", run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
        var result = run.GetProperty("results").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == "EBPF2211");
        Assert.Equal("error", result.GetProperty("level").GetString());
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(11, region.GetProperty("startLine").GetInt32());
    }

    [Fact]
    public void Sarif_log_has_source_diagnostics_without_verify()
    {
        var sarif = Path.Combine(CliRunner.TempDir(), "build.sarif");
        var r = Build(Probe("GPL", "ulong d = Total;\n        Total = 5 / d;"), "--sarif", sarif);
        Assert.Equal(0, r.ExitCode);
        using var log = JsonDocument.Parse(File.ReadAllText(sarif));
        var result = log.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        Assert.Equal("EBPF2103", result.GetProperty("ruleId").GetString());
        Assert.Equal("note", result.GetProperty("level").GetString());
    }

    const string FentryProbe = """
        using Ebpf;

        [BpfObject(License = "GPL")]
        public static unsafe partial class FentryProbe
        {
            [Fentry("do_unlinkat")]
            static int OnUnlink(TracingContext ctx) => 0;
        }
        """;

    /// <summary>Ebpf.Sdk's default (EbpfVerify=auto) sends a request with VerifyWhereUsable: a program this kernel refuses
    /// to load at all (fentry gets EPERM under this machine's lockdown) is an informational EBPF2298 and the build
    /// succeeds; strict verification (EbpfVerify=true, <c>--verify</c>) makes it a warning.</summary>
    [SkippableTheory]
    [InlineData(true, "info")]
    [InlineData(false, "warning")]
    public void A_program_the_kernel_cannot_load_here_is_not_a_verdict_fentry_eperm_on_this_kernel(bool whereUsable, string severity)
    {
        Kernel.RequireBpf();
        var dir = CliRunner.TempDir();
        var file = Path.Combine(dir, "FentryProbe.cs");
        File.WriteAllText(file, FentryProbe);
        var request = new Ebpf.Cli.Server.BuildRequest
        {
            Sources = [file],
            ImplicitUsings = true,
            OutputDirectory = Path.Combine(dir, "out"),
            Verify = true,
            VerifyWhereUsable = whereUsable,
        };
        var requestFile = Path.Combine(dir, "request.json");
        File.WriteAllText(requestFile, JsonSerializer.Serialize(request, Ebpf.Cli.Server.BuildProtocolJson.Default.BuildRequest));
        var r = CliRunner.Run("build", "--request", requestFile);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        var response = JsonSerializer.Deserialize(r.Output.Trim().Split('\n')[^1], Ebpf.Cli.Server.BuildProtocolJson.Default.BuildResponse)!;
        var unchecked_ = Assert.Single(response.Diagnostics);
        Assert.Equal(("EBPF2298", severity), (unchecked_.Id, unchecked_.Severity));
        Assert.Contains("EPERM", unchecked_.Message);
        Assert.Single(response.Objects);
    }
}
