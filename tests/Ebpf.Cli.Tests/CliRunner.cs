using Ebpf.TestSupport;

namespace Ebpf.Cli.Tests;

/// <summary>Runs the <c>ebpf</c> command in process (<see cref="EbpfCli.Run"/>) or as a real process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = EbpfCli.Run(args, output, error);
        return new Result(code, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>The built CLI as its own process: exit codes and streams exactly as a shell sees them.</summary>
    public static Result RunProcess(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Ebpf.Cli.dll");
        var r = ExternalTool.Run("dotnet", new[] { cli }.Concat(args).ToArray());
        return new Result(r.ExitCode, r.StdOut.ReplaceLineEndings("\n"), r.StdErr.ReplaceLineEndings("\n"));
    }

    public static string TempDir() => Directory.CreateTempSubdirectory("ebpf-cli-").FullName;
}
