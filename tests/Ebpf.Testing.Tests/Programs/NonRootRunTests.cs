using System.Reflection;
using System.Text.RegularExpressions;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Runs this assembly's interpreter tests (<c>Category=Interpreter</c>) again in a child <c>dotnet test</c> as
/// user nobody (uid 65534, <c>setpriv --reuid=65534 --regid=65534 --clear-groups</c>), where each of them first proves
/// the process has no BPF privilege (<see cref="NonRoot.AssertWhenExpected"/>): the interpreter needs no root.</summary>
public partial class NonRootRunTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"Failed:\s+(\d+), Passed:\s+(\d+)")]
    private static partial Regex Summary();

    [SkippableFact]
    public void Interpreter_tests_pass_as_user_nobody_who_cannot_use_bpf()
    {
        if (!OperatingSystem.IsLinux()) throw new SkipException("setpriv and uid 65534 need Linux");
        Skip.If(NonRoot.EffectiveUid != 0, "already unprivileged: the Interpreter tests of this run prove it themselves");
        int expected = typeof(NonRootRunTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes<TraitAttribute>().Any())
            .Where(t => t.CustomAttributes.Any(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments.Select(c => c.Value).SequenceEqual(["Category", "Interpreter"])))
            .SelectMany(t => t.GetMethods()).Count(m => m.GetCustomAttributes<FactAttribute>().Any());
        Assert.True(expected >= 4, $"only {expected} Interpreter tests found");

        var home = Directory.CreateTempSubdirectory("ebpf-interp-nobody-");
        try
        {
            File.SetUnixFileMode(home.FullName, (UnixFileMode)0x1ff);
            var dll = typeof(NonRootRunTests).Assembly.Location;
            var r = ExternalTool.RunWithTimeout(ExternalTool.Require("setpriv"), TimeSpan.FromMinutes(5),
                "--reuid=65534", "--regid=65534", "--clear-groups",
                "env", $"HOME={home.FullName}", $"DOTNET_CLI_HOME={home.FullName}", $"TMPDIR={home.FullName}",
                "DOTNET_NOLOGO=1", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1", $"{NonRoot.Variable}=1",
                ExternalTool.Require("dotnet"), "test", dll, "--filter", "Category=Interpreter", "--results-directory", Path.Combine(home.FullName, "results"));
            output.WriteLine(r.Combined);
            Assert.True(r.ExitCode == 0, "the unprivileged run failed:\n" + r.Combined);
            var m = Summary().Match(r.StdOut);
            Assert.True(m.Success, "no test summary in the child's output:\n" + r.Combined);
            Assert.Equal("0", m.Groups[1].Value);
            Assert.Equal(expected, int.Parse(m.Groups[2].Value));
        }
        finally { home.Delete(recursive: true); }
    }
}
