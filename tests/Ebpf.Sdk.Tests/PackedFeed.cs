using Ebpf.TestSupport;

namespace Ebpf.Sdk.Tests;

/// <summary>One pack per test run, shared by every test: <c>scripts/pack.sh</c> into a fresh folder feed with a unique
/// version (or the feed named by EBPF_PACKED_FEED, which scripts/test.sh packs fresh before the tests).</summary>
public sealed class PackedFeed : IDisposable
{
    public string Directory { get; }
    public string Version { get; }
    readonly bool _owned;

    public PackedFeed()
    {
        var given = Environment.GetEnvironmentVariable("EBPF_PACKED_FEED");
        if (!string.IsNullOrEmpty(given) && File.Exists(Path.Combine(given, "version.txt")))
        {
            Directory = given;
        }
        else
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("ebpf-tooling-feed-").FullName;
            _owned = true;
            var pack = Processes.Run("bash", [RepoPaths.Combine("scripts", "pack.sh"), "--feed", Directory], RepoPaths.Root, timeout: TimeSpan.FromMinutes(15));
            if (pack.ExitCode != 0) throw new InvalidOperationException($"scripts/pack.sh failed: {pack}");
        }
        Version = File.ReadAllText(Path.Combine(Directory, "version.txt")).Trim();
    }

    /// <summary>A new empty folder for a user project, with a nuget.config naming only this feed and the registry.</summary>
    public UserFolder CreateUserFolder(string name) => new(this, name);

    public void Dispose()
    {
        if (_owned) try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}

/// <summary>A temporary folder as a user has it: its own NuGet cache (NUGET_PACKAGES), a nuget.config with the feed.</summary>
public sealed class UserFolder : IDisposable
{
    public string Root { get; }
    public string Packages { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }

    public UserFolder(PackedFeed feed, string name)
    {
        Root = System.IO.Directory.CreateTempSubdirectory($"ebpf-tooling-{name}-").FullName;
        Packages = Path.Combine(Root, ".nuget-packages");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="ebpf-feed" value="{feed.Directory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        Environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Packages,
            // Builds in this folder must not reuse MSBuild nodes of other builds (their task assemblies are another version).
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
    }

    public string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    public Processes.Result Dotnet(params string[] args) => Processes.Run("dotnet", args, Root, Environment);

    /// <summary>Stops the build servers this folder's SDK copy started (they would otherwise idle for minutes).</summary>
    public void StopBuildServers()
    {
        var sdk = Path.Combine(Packages, "ebpf.sdk");
        if (!System.IO.Directory.Exists(sdk)) return;
        foreach (var compiler in System.IO.Directory.EnumerateFiles(sdk, "Ebpf.Cli.dll", SearchOption.AllDirectories))
            Processes.Run("dotnet", [compiler, "build-server", "--stop"], Root, Environment, TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        StopBuildServers();
        try { System.IO.Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
