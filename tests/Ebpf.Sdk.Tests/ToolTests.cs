using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Sdk.Tests;

/// <summary>The <c>ebpf</c> dotnet tool installed from the feed with <c>dotnet tool install --tool-path</c>.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class ToolTests : IClassFixture<ToolTests.InstalledTool>
{
    readonly InstalledTool _tool;
    readonly ITestOutputHelper _log;

    public ToolTests(InstalledTool tool, ITestOutputHelper log)
    {
        _tool = tool;
        _log = log;
    }

    /// <summary>One install per test class, into a tool path of its own.</summary>
    public sealed class InstalledTool : IDisposable
    {
        public PackedFeed Feed { get; }
        public UserFolder User { get; }
        public string Ebpf { get; }
        public Processes.Result Install { get; }

        public InstalledTool(PackedFeed feed)
        {
            Feed = feed;
            User = feed.CreateUserFolder("tool");
            Install = User.Dotnet("tool", "install", "Ebpf.Cli", "--version", feed.Version, "--tool-path", User.Path_("tools"),
                "--add-source", feed.Directory);
            Ebpf = User.Path_("tools", "ebpf");
        }

        public Processes.Result Run(params string[] args) => Processes.Run(Ebpf, args, User.Root, User.Environment, TimeSpan.FromMinutes(2));

        public void Dispose() => User.Dispose();
    }

    [Fact]
    public void Tool_installs_as_ebpf_and_every_verb_has_help_naming_ebpf()
    {
        Assert.True(File.Exists(_tool.Ebpf), _tool.Install.ToString());
        var help = _tool.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("ebpf [command] [options]", help.Output);
        foreach (var verb in new[] { "build", "dump", "load", "run", "build-server" })
        {
            Assert.Contains(verb, help.Output);
            var verbHelp = _tool.Run(verb, "--help");
            Assert.True(verbHelp.ExitCode == 0, verbHelp.ToString());
            Assert.Contains($"ebpf {verb}", verbHelp.Output);
        }
    }

    /// <summary>The native tool compiles against the framework and Ebpf assemblies it carries, the SDK's managed compiler
    /// against the runtime it runs on: the same sources give the same bytes, one-shot and through the tool's build server.
    /// raw_comm_hash reads a Span&lt;T&gt;, whose fields differ in reference assemblies.</summary>
    [Fact]
    public void Build_writes_the_same_objects_as_the_managed_compiler_in_Ebpf_Sdk_one_shot_and_through_the_server()
    {
        var compiler = _tool.User.Path_("sdk-compiler");
        using (var sdk = ZipFile.OpenRead(Path.Combine(_tool.Feed.Directory, $"Ebpf.Sdk.{_tool.Feed.Version}.nupkg")))
            foreach (var entry in sdk.Entries.Where(e => e.FullName.StartsWith("compiler/", StringComparison.Ordinal) && e.Name != ""))
            {
                var path = Path.Combine(compiler, entry.FullName["compiler/".Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                entry.ExtractToFile(path);
            }
        string[] probes =
        [
            RepoPaths.Combine("samples", "OpenCounter", "OpenCounter.Probe.cs"),
            RepoPaths.Combine("samples", "XdpFilter", "XdpFilter.Probe.cs"),
            RepoPaths.Combine("bench", "codegen", "probes", "raw_comm_hash.cs"),
        ];
        try
        {
            foreach (var probe in probes)
            {
                var native = _tool.Run("build", probe, "-o", _tool.User.Path_("native"));
                Assert.True(native.ExitCode == 0, native.ToString());
                var server = _tool.Run("build", "--server", probe, "-o", _tool.User.Path_("server"));
                Assert.True(server.ExitCode == 0, server.ToString());
                var managed = Processes.Run("dotnet", [Path.Combine(compiler, "Ebpf.Cli.dll"), "build", probe, "-o", _tool.User.Path_("managed")],
                    _tool.User.Root, _tool.User.Environment, TimeSpan.FromMinutes(2));
                Assert.True(managed.ExitCode == 0, managed.ToString());
            }
        }
        finally
        {
            _tool.Run("build-server", "--stop");
        }
        var objects = Directory.GetFiles(_tool.User.Path_("managed"), "*.bpf.o").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["OpenCounter.bpf.o", "RawCommHash.bpf.o", "XdpFilter.bpf.o"], objects);
        foreach (var name in objects)
        {
            var managed = File.ReadAllBytes(_tool.User.Path_("managed", name!));
            Assert.True(managed.AsSpan().SequenceEqual(File.ReadAllBytes(_tool.User.Path_("native", name!))), $"{name}: the native tool wrote other bytes");
            Assert.True(managed.AsSpan().SequenceEqual(File.ReadAllBytes(_tool.User.Path_("server", name!))), $"{name}: the native build server wrote other bytes");
        }
    }

    [SkippableFact]
    public void Load_prints_programs_and_maps_of_a_clang_object_with_btf_maps_globals_tail_calls_and_a_ring_buffer()
    {
        Kernel.RequireBpf();
        var obj = ClangBpf.CompileFile(Path.Combine(AppContext.BaseDirectory, "Clang", "features.bpf.c"));
        var load = _tool.Run("load", obj);
        Assert.True(load.ExitCode == 0, load.ToString());
        // Programs: name, section, type, instructions, loaded and verifier-processed counts (numbers, not "?").
        Assert.Matches(new Regex(@"│ entry +│ tracepoint/syscalls/sys_enter_getppid +│ Tracepoint +│ +\d+ │ +\d+ │ +\d+ │"), load.Output);
        Assert.Matches(new Regex(@"│ tail +│ tracepoint/syscalls/sys_enter_getpid +│ Tracepoint +│ +\d+ │ +\d+ │ +\d+ │"), load.Output);
        foreach (var (map, type) in new[] { ("counts", "hash"), ("percpu", "percpu_array"), ("pids", "array"), ("events", "ringbuf"), ("jump", "prog_array"),
                                             (".rodata", "array"), (".data", "array"), (".bss", "array") })
            Assert.Matches(new Regex($@"│ {Regex.Escape(map)} +│ {type} +│"), load.Output);
    }

    [SkippableFact]
    public void Load_of_a_rejected_object_prints_the_verifier_reason_and_source_line_and_exits_1()
    {
        Kernel.RequireBpf();
        var obj = ClangBpf.CompileSource("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } m SEC(".maps");
            SEC("xdp")
            int no_null_check(struct xdp_md *ctx)
            {
                __u32 k = 0;
                __u64 *v = bpf_map_lookup_elem(&m, &k);
                return *v;
            }
            char LICENSE[] SEC("license") = "GPL";
            """, "rejected");
        var load = _tool.Run("load", obj);
        Assert.Equal(1, load.ExitCode);
        Assert.Contains("rejected.c:9", load.Output);
        Assert.Contains("invalid mem access", load.Output);
        Assert.DoesNotContain("   at ", load.Output);
    }

    [SkippableFact]
    public void Run_of_a_clang_object_shows_a_log2_histogram_globals_and_ring_buffer_events_decoded_through_BTF()
    {
        Kernel.RequireBpf();
        Kernel.RequireTracefs();
        var obj = ClangBpf.CompileFile(Path.Combine(AppContext.BaseDirectory, "Clang", "features.bpf.c"));
        using var stop = new CancellationTokenSource();
        var calls = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { getppid(); Thread.Sleep(20); }
        });
        var run = _tool.Run("run", obj, "--duration", "2.5");
        stop.Cancel();
        calls.Wait();
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("attached entry (tracepoint/syscalls/sys_enter_getppid)", run.Output);
        Assert.Matches(new Regex(@"\d+ -> \d+ +█+ [1-9]\d*"), run.Output);                     // histogram bar with a count
        Assert.Matches(new Regex(@"\{pid=\d+, cpu=\d+, comm=""[^""]+""\}"), run.Output);       // struct event from BTF
        Assert.Matches(new Regex(@"│ target_pid +│ 0 +│"), run.Output);                          // .rodata global
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int getppid();

    [SkippableFact]
    public void Run_of_the_OpenCounter_sample_prints_live_map_data()
    {
        Kernel.RequireBpf();
        Kernel.RequireTracefs();
        var probe = RepoPaths.Combine("samples", "OpenCounter", "OpenCounter.Probe.cs");
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(_tool.Ebpf) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "run", probe, "--duration", "4" }) start.ArgumentList.Add(a);
        foreach (var (k, v) in _tool.User.Environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        TimeSpan? firstData = null;
        var output = new System.Text.StringBuilder();
        var rowWithCount = new Regex(@"│ +\d+ +│ +[1-9]\d* +│");
        bool inCounts = false;
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            output.AppendLine(line);
            if (line.Contains("Counts (hash")) inCounts = true;
            if (inCounts && firstData is null && rowWithCount.IsMatch(line)) firstData = clock.Elapsed;
        }
        process.WaitForExit();
        output.Append(process.StandardError.ReadToEnd());
        Assert.True(process.ExitCode == 0, output.ToString());
        Assert.Contains("attached OnOpenat (tracepoint/syscalls/sys_enter_openat)", output.ToString());
        Assert.True(firstData is not null, output.ToString());
        _log.WriteLine($"ebpf run OpenCounter.Probe.cs: first live map data {firstData!.Value.TotalSeconds:0.00} s after start (compile, load, attach, first refresh)");
    }
}
