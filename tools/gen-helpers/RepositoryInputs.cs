namespace Ebpf.Tools.GenHelpers;

/// <summary>Where the generator's inputs live in the repository.</summary>
public static class RepositoryInputs
{
    public static GeneratorInputs Read(string root, string header)
    {
        string data = Path.Combine(root, "tools", "gen-helpers", "data");
        var probes = Directory.GetFiles(data, "probe-*.txt").OrderBy(p => p, StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var api = Directory.GetFiles(Path.Combine(root, "src", "Ebpf"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(".g.cs", StringComparison.Ordinal) && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .OrderBy(p => p, StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        return new GeneratorInputs(File.ReadAllText(header), probes,
            File.ReadAllText(Path.Combine(data, "helper-versions.tsv")), File.ReadAllText(Path.Combine(data, "type-versions.tsv")), api,
            File.ReadAllText(Path.Combine(data, "helper-references.tsv")));
    }
}

public static class RepositoryRoot
{
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ebpf.Compiler.sln"))) return dir.FullName;
        return null;
    }
}
