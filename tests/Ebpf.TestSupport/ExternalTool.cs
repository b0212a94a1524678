using System.Diagnostics;

namespace Ebpf.TestSupport;

/// <summary>Runs tools we did not write (bpftool, clang, llvm-objdump) as cross-checks.</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Combined => StdOut + StdErr;
    }

    public static Result Run(string fileName, params string[] args) => RunWithTimeout(fileName, TimeSpan.FromSeconds(120), args);

    public static Result RunWithTimeout(string fileName, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in {timeout}"); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Full path of a tool on PATH; fails the test loudly when missing (the test command installs them).</summary>
    public static string Require(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin" })
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"'{name}' is not installed; run the README's test command (it installs clang, llvm and bpftool)");
    }
}
