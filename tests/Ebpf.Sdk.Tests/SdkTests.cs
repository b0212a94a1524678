using System.Text.RegularExpressions;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Sdk.Tests;

/// <summary>Ebpf.Sdk and the template as a user meets them: packages from the feed, a fresh NuGet cache per folder.</summary>
[Collection(PackedFeedCollection.Name)]
public sealed class SdkTests(PackedFeed feed, ITestOutputHelper log)
{
    const string ProbeStepRan = ".bpf.o -> ";

    [SkippableFact]
    public void Template_project_builds_runs_as_root_and_rebuilds_only_when_the_probe_changes()
    {
        Kernel.RequireBpf();
        Kernel.RequireTracefs();
        using var user = feed.CreateUserFolder("template");
        var hive = user.Path_(".templates");
        var nupkg = Path.Combine(feed.Directory, $"Ebpf.Templates.{feed.Version}.nupkg");
        Check(user.Dotnet("new", "install", nupkg, "--debug:custom-hive", hive));
        Check(user.Dotnet("new", "ebpf", "-n", "Demo", "-o", "Demo", "--debug:custom-hive", hive));
        Assert.Contains($"Ebpf.Sdk/{feed.Version}", File.ReadAllText(user.Path_("Demo", "Demo.csproj")));

        var first = Check(user.Dotnet("build", "Demo", "-tl:off", "-v:n"));
        Assert.True(first.Output.Contains("Demo.bpf.o -> "), first.Output);
        Assert.True(File.Exists(user.Path_("Demo", "obj", "Debug", "net10.0", "ebpf", "Demo.bpf.o")), first.Output);

        var run = Check(user.Dotnet(user.Path_("Demo", "bin", "Debug", "net10.0", "Demo.dll"), "2"));
        Assert.Matches(new Regex(@"pid +\d+ +openat +[1-9]\d*"), run.Output);

        var noOp = Check(user.Dotnet("build", "Demo", "-tl:off", "-v:n"));
        Assert.DoesNotContain(ProbeStepRan, noOp.Output);
        Assert.Contains("Skipping target \"_Ebpf_Compile\" because all output files are up-to-date", noOp.Output);

        File.SetLastWriteTimeUtc(user.Path_("Demo", "Demo.Probe.cs"), DateTime.UtcNow);
        var touched = Check(user.Dotnet("build", "Demo", "-tl:off", "-v:n"));
        Assert.Contains("Demo.bpf.o -> ", touched.Output);
        log.WriteLine($"build: first {first.Elapsed.TotalSeconds:0.0} s, no-op {noOp.Elapsed.TotalSeconds:0.0} s, after touching the probe {touched.Elapsed.TotalSeconds:0.0} s");
    }

    [SkippableFact]
    public void Plain_sdk_project_with_a_probe_beside_Program_builds_an_object_bpftool_loads()
    {
        Kernel.RequireBpf();
        using var user = feed.CreateUserFolder("plain");
        WritePlainProject(user, "Plain", Probe("Ticks", "ulong n = 1; Counts.Update(0, n, MapUpdate.Any);"));
        var build = Check(user.Dotnet("build", "Plain", "-tl:off"));
        var obj = user.Path_("Plain", "obj", "Debug", "net10.0", "ebpf", "Ticks.bpf.o");
        Assert.True(File.Exists(obj), build.Output);

        var pin = $"/sys/fs/bpf/tooling-sdk-plain-{Environment.ProcessId}";
        try
        {
            var load = ExternalTool.Run(ExternalTool.Require("bpftool"), "prog", "loadall", obj, pin);
            Assert.True(load.ExitCode == 0, load.Combined);
        }
        finally
        {
            if (Directory.Exists(pin)) Directory.Delete(pin, true);
        }
    }

    [Fact]
    public void Probe_with_new_object_fails_the_build_at_that_line_in_canonical_form_only()
    {
        using var user = feed.CreateUserFolder("bad");
        var probe = Probe("Bad", "object o = new object();");
        WritePlainProject(user, "Bad", probe);
        int line = probe.Split('\n').ToList().FindIndex(l => l.Contains("new object()")) + 1;
        int column = probe.Split('\n')[line - 1].IndexOf("new object()", StringComparison.Ordinal) + 1;

        var build = user.Dotnet("build", "Bad", "-tl:off");
        Assert.NotEqual(0, build.ExitCode);
        // At the construct (the analyzer in the C# build may also report the declaration's type on that line).
        Assert.True(Regex.IsMatch(build.Output, $@"Probe\.cs\({line},{column}\): error EBPF\d{{4}}: "), build.Output);
        Assert.DoesNotContain("MSB3073", build.Output);
        Assert.DoesNotContain("exited with code", build.Output);
        Assert.DoesNotContain("Exception", build.Output);

        // The analyzers see where the diagnostics are explained (a compiler-visible property): the HTML page the package
        // ships, with every entry of docs/diagnostics.md (the IDE opens file:///...diagnostics.html#ebpf1001).
        var evaluation = Check(user.Dotnet("msbuild", "Bad", "-getProperty:EbpfDiagnosticsHelp", "-getItem:CompilerVisibleProperty"));
        using var json = System.Text.Json.JsonDocument.Parse(evaluation.Output[evaluation.Output.IndexOf('{')..]);
        var visible = json.RootElement.GetProperty("Items").GetProperty("CompilerVisibleProperty").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()).ToList();
        Assert.Contains("EbpfDiagnosticsHelp", visible);
        Assert.Contains("EbpfTargetKernel", visible);
        var page = File.ReadAllText(json.RootElement.GetProperty("Properties").GetProperty("EbpfDiagnosticsHelp").GetString()!);
        var entries = Regex.Matches(File.ReadAllText(RepoPaths.Combine("docs", "diagnostics.md")), "<a id=\"(ebpf\\d{4})\"></a>").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(entries);
        foreach (var entry in entries) Assert.Contains($"<a id=\"{entry}\"></a>", page);
    }

    /// <summary>The kernel's verdict is part of every build by default (EbpfVerify=auto): a loop of 5 million iterations
    /// passes every source rule, and only the verifier's 1M-instruction walk refuses it.</summary>
    [SkippableFact]
    public void Default_build_reports_the_kernel_verifiers_rejection_at_the_csharp_line_and_EbpfVerify_false_skips_it()
    {
        Kernel.RequireBpf();
        using var user = feed.CreateUserFolder("verify");
        var probe = Probe("TooLong", "ulong t = 1;\n        for (uint i = 0; i < 5000000; i++) t += i ^ t;\n        Counts.Update(0, t, MapUpdate.Any);");
        WritePlainProject(user, "TooLong", probe);
        var build = user.Dotnet("build", "TooLong", "-tl:off");
        Assert.NotEqual(0, build.ExitCode);
        Assert.True(Regex.IsMatch(build.Output, @"Probe\.cs\(\d+,\d+\): error EBPF2211: BPF program is too large"), build.Output);
        Assert.DoesNotContain("MSB3073", build.Output);
        Assert.False(File.Exists(user.Path_("TooLong", "bin", "Debug", "net10.0", "TooLong.dll")), "a build the kernel refuses must not produce the assembly");

        var unchecked_ = Check(user.Dotnet("build", "TooLong", "-tl:off", "-p:EbpfVerify=false"));
        Assert.DoesNotContain("EBPF22", unchecked_.Output);
        Assert.True(File.Exists(user.Path_("TooLong", "obj", "Debug", "net10.0", "ebpf", "TooLong.bpf.o")), unchecked_.Output);
    }

    [Fact]
    public void Sdk_as_a_package_reference_on_Microsoft_NET_Sdk_embeds_and_copies_the_object()
    {
        using var user = feed.CreateUserFolder("pkgref");
        Directory.CreateDirectory(user.Path_("App"));
        File.WriteAllText(user.Path_("App", "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <EbpfCopyObjectsToOutput>true</EbpfCopyObjectsToOutput>
                <DefineConstants>$(DefineConstants);BIG_MAP</DefineConstants>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Ebpf.Sdk" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(user.Path_("App", "Program.cs"), """
            var names = typeof(Program).Assembly.GetManifestResourceNames();
            Console.WriteLine("resources: " + string.Join(",", names));
            """);
        // The define reaches the eBPF step: without it the probe would not compile (no map named Counts).
        File.WriteAllText(user.Path_("App", "Probe.cs"), Probe("Counter", "ulong n = 1; Counts.Update(0, n, MapUpdate.Any);")
            .Replace("    static readonly ArrayMap<ulong> Counts", "#if BIG_MAP\n    static readonly ArrayMap<ulong> Counts") .Replace("maxEntries: 1);", "maxEntries: 1);\n#endif"));
        var build = Check(user.Dotnet("build", "App", "-tl:off"));
        Assert.True(File.Exists(user.Path_("App", "bin", "Debug", "net10.0", "Counter.bpf.o")), build.Output);
        var run = Check(user.Dotnet(user.Path_("App", "bin", "Debug", "net10.0", "App.dll")));
        Assert.Contains("Counter.bpf.o", run.Output);

        var publish = Check(user.Dotnet("publish", "App", "-tl:off", "-r", "linux-x64", "--self-contained", "false", "-p:PublishSingleFile=true", "-o", user.Path_("single")));
        Assert.True(File.Exists(user.Path_("single", "App")), publish.Output);
        var single = Check(Processes.Run(user.Path_("single", "App"), [], user.Root, user.Environment));
        Assert.Contains("Counter.bpf.o", single.Output);
    }

    static Processes.Result Check(Processes.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    static string Probe(string className, string body) => $$"""
        using Ebpf;

        namespace User;

        [BpfObject(License = "GPL")]
        public static partial class {{className}}
        {
            static readonly ArrayMap<ulong> Counts = new(maxEntries: 1);

            [Xdp]
            static XdpAction Pass(XdpContext ctx)
            {
                {{body}}
                return XdpAction.Pass;
            }
        }
        """;

    void WritePlainProject(UserFolder user, string name, string probe)
    {
        Directory.CreateDirectory(user.Path_(name));
        File.WriteAllText(user.Path_(name, $"{name}.csproj"), $"""
            <Project Sdk="Ebpf.Sdk/{feed.Version}">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(user.Path_(name, "Program.cs"), "Console.WriteLine(\"user space\");\n");
        File.WriteAllText(user.Path_(name, "Probe.cs"), probe);
    }
}
