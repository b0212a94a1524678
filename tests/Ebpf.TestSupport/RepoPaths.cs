namespace Ebpf.TestSupport;

/// <summary>Locations in the source tree, found from the test assembly's directory upwards.</summary>
public static class RepoPaths
{
    static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ebpf.Compiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Ebpf.Compiler.sln) above " + AppContext.BaseDirectory);
    });

    public static string Root => RootLazy.Value;
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
    /// <summary>The shared conformance suite (../shared/conformance/tests), or null in a user's clone without it.</summary>
    public static string? ConformanceTests
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(Root, "..", "shared", "conformance", "tests"));
            return Directory.Exists(dir) ? dir : null;
        }
    }
}
