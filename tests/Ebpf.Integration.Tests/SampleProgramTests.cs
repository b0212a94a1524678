using System.Diagnostics;
using Ebpf.TestSupport;

namespace Ebpf.Integration.Tests;

/// <summary>The samples as a user runs them: built by the solution (probe compiled to eBPF and
/// embedded by Ebpf.Sdk from the packed feed), started as processes, output read.</summary>
public sealed class SampleProgramTests
{
    static string SampleAssembly(string name)
    {
        // Same configuration as this test assembly (bin/<Configuration>/net10.0/).
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = RepoPaths.Combine("samples", name, "bin", configuration, "net10.0", name + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: the solution build builds the samples");
        return path;
    }

    static (int ExitCode, string Output) RunSample(string name, TimeSpan timeout, params string[] args)
    {
        var result = ExternalTool.RunWithTimeout("dotnet", timeout, [SampleAssembly(name), .. args]);
        return (result.ExitCode, result.Combined);
    }

    [SkippableFact]
    public void OpenCounter_prints_a_live_table_of_the_target_process()
    {
        Kernel.RequireTracefs();
        using var cancel = new CancellationTokenSource();
        // Something that opens files while the sample runs.
        var busy = Task.Run(() => { while (!cancel.IsCancellationRequested) { File.ReadAllBytes("/proc/self/status"); Thread.Sleep(5); } });
        var (code, output) = RunSample("OpenCounter", TimeSpan.FromSeconds(60), "--pid", Environment.ProcessId.ToString(), "--seconds", "3");
        cancel.Cancel();
        busy.Wait();
        Assert.True(code == 0, output);
        Assert.Contains("PID", output);
        Assert.Contains("OPENS", output);
        // This test process opened /proc/self/status meanwhile: its row is in the table.
        Assert.Matches($@"(?m)^\s*{Environment.ProcessId}\s+.*\s\d+\s*$", output);
    }

    [SkippableFact]
    public void XdpFilter_demo_drops_blocked_datagrams_on_the_veth_pair()
    {
        Kernel.RequireBpf();
        var (code, output) = RunSample("XdpFilter", TimeSpan.FromSeconds(60), "--block", "7101", "--open", "7100");
        Assert.True(code == 0, output);
        Assert.Matches(@"UDP to blocked port 7101\s+-> Drop", output);
        Assert.Matches(@"UDP to open port 7100\s+-> Pass", output);
        Assert.Matches(@"truncated UDP \(UDP header cut\)\s+-> Pass", output);
        Assert.Contains("received on open port 7100: 5, on blocked port 7101: 0", output);
        Assert.Contains("dropped by XDP on", output);
    }
}
