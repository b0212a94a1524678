using System.Text.RegularExpressions;
using Ebpf.TestSupport;

namespace Ebpf.Cli.Tests;

/// <summary>End to end: <c>ebpf build samples/X/*.cs -o OUT</c> (every file of the sample, user space included,
/// as the shell expands the glob), then the object through libbpf and the kernel verifier
/// (<c>bpftool prog loadall</c>), llvm-objdump and <c>ebpf dump</c>.</summary>
public class SampleBuildTests
{
    static (string Dir, string Object, CliRunner.Result Build) BuildSample(string sample)
    {
        var dir = CliRunner.TempDir();
        var sources = Directory.GetFiles(RepoPaths.Combine("samples", sample), "*.cs").Order(StringComparer.Ordinal).ToArray();
        var r = CliRunner.Run(new[] { "build" }.Concat(sources).Concat(new[] { "-o", dir }).ToArray());
        return (dir, Path.Combine(dir, sample + ".bpf.o"), r);
    }

    [Theory]
    [InlineData("OpenCounter")]
    [InlineData("XdpFilter")]
    public void Build_writes_one_object_per_class(string sample)
    {
        var (dir, obj, r) = BuildSample(sample);
        try
        {
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            Assert.Equal($"{sample} -> {obj}\n", r.Output);
            Assert.Equal(new[] { obj }, Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("OpenCounter", "OnOpenat", "tracepoint")]
    [InlineData("XdpFilter", "Filter", "xdp")]
    public void Bpftool_loadall_accepts_the_sample(string sample, string program, string type)
    {
        Kernel.RequireBpf();
        var (dir, obj, r) = BuildSample(sample);
        var pin = $"/sys/fs/bpf/ebpf-cli-test-{Guid.NewGuid():N}";
        try
        {
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            var load = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "loadall", obj, pin);
            Assert.True(load.ExitCode == 0, load.Combined);
            var show = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "show", "pinned", Path.Combine(pin, program));
            Assert.True(show.ExitCode == 0, show.Combined);
            Assert.Contains($": {type}  name {program}", show.StdOut);
            Assert.Contains("gpl", show.StdOut);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, true);
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("OpenCounter")]
    [InlineData("XdpFilter")]
    public void Llvm_objdump_disassembles_the_sample_without_errors(string sample)
    {
        var (dir, obj, r) = BuildSample(sample);
        try
        {
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            var dump = ExternalTool.Run(ExternalTool.Require("llvm-objdump"), "-d", "-r", obj);
            Assert.True(dump.ExitCode == 0 && dump.StdErr.Length == 0, dump.Combined);
            // llvm-objdump 14 prints <unknown> for encodings it cannot decode (e.g. BPF_ST store-immediate, which
            // clang only emits from LLVM 18): objects meant to be read by the standard tools must avoid them.
            Assert.DoesNotContain("<unknown>", dump.StdOut);
            Assert.Contains($"<{(sample == "XdpFilter" ? "Filter" : "OnOpenat")}>:", dump.StdOut);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Dump_shows_the_maps_globals_and_the_csharp_lines_of_the_sample()
    {
        var (dir, obj, r) = BuildSample("OpenCounter");
        try
        {
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            var dump = CliRunner.Run("dump", obj);
            Assert.True(dump.ExitCode == 0, dump.Error);
            // The object's description does not depend on instruction selection: a snapshot.
            var header = dump.Output[..dump.Output.IndexOf("programs (", StringComparison.Ordinal)];
            Snapshot.Match("opencounter-dump-header", header);
            Assert.Matches(new Regex(@"programs \(1\):\n  OnOpenat: section tracepoint/syscalls/sys_enter_openat, type Tracepoint, \d+ instructions \(\d+ slots\)\n"), dump.Output);
            // The disassembly interleaves the C# lines recorded in line_info, and names relocated symbols.
            Assert.Contains("; uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32); // OpenCounter.Probe.cs:40\n", dump.Output);
            Assert.Contains("; if (TargetPid != 0 && pid != TargetPid) return 0; // OpenCounter.Probe.cs:41\n", dump.Output);
            Assert.Matches(new Regex(@"R_BPF_64_64\tCounts\n"), dump.Output);
            Assert.Matches(new Regex(@"R_BPF_64_64\t\.rodata\n"), dump.Output);
            Assert.Contains("call 1\n", dump.Output);   // bpf_map_lookup_elem
        }
        finally { Directory.Delete(dir, true); }
    }
}
