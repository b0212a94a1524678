using System.Collections.Concurrent;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Pipeline;

/// <summary>The assemblies probe code compiles against: the running runtime's trusted platform assemblies
/// (the BCL the probes' managed twins run on), the Ebpf kernel-API assembly and any extra references.</summary>
static class ReferenceAssemblies
{
    static readonly Lazy<IReadOnlyList<MetadataReference>> Platform = new(() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(Path.GetFileNameWithoutExtension(p), "Ebpf", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList());

    public const string EbpfAssemblyFileName = "Ebpf.dll";

    /// <summary>Assemblies referenced when they are next to the compiler: user-space code often sits in the same
    /// folder as the probes (<c>ebpf build samples/OpenCounter/*.cs</c>) and uses the runtime.</summary>
    static readonly string[] OptionalBeside = { "Ebpf.Runtime.dll" };

    /// <summary>The references for <paramref name="options"/>; problems are reported and the reference left out.</summary>
    public static List<MetadataReference> Resolve(BpfCompilerOptions options, ICollection<Diagnostic> diagnostics)
    {
        var references = new List<MetadataReference>(Platform.Value);
        var ebpf = options.EbpfAssemblyPath ?? FindEbpfAssembly();
        if (ebpf is null || !File.Exists(ebpf))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ApiAssemblyNotFound, Location.None,
                ebpf is null ? $"looked next to the compiler in '{AppContext.BaseDirectory}'" : $"'{ebpf}' does not exist"));
        else
            references.Add(FromFile(ebpf));
        foreach (var name in OptionalBeside)
        {
            var beside = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(beside)) references.Add(FromFile(beside));
        }
        foreach (var path in options.References)
        {
            if (File.Exists(path)) references.Add(FromFile(path));
            else diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ReferenceNotFound, Location.None, path, "the file does not exist"));
        }
        return references;
    }

    static readonly ConcurrentDictionary<string, (DateTime Written, long Length, MetadataReference Reference)> Files = new(StringComparer.Ordinal);

    /// <summary>One reference object per unchanged file: Roslyn decodes an assembly's symbols once per reference object,
    /// so a new one per compilation (the API assembly, the runtime beside it) decoded them again for every compile.</summary>
    static MetadataReference FromFile(string path)
    {
        var info = new FileInfo(path);
        if (Files.TryGetValue(path, out var cached) && cached.Written == info.LastWriteTimeUtc && cached.Length == info.Length) return cached.Reference;
        var reference = MetadataReference.CreateFromFile(path);
        Files[path] = (info.LastWriteTimeUtc, info.Length, reference);
        return reference;
    }

    /// <summary>Ebpf.dll next to the application (the CLI and the test projects reference the Ebpf project),
    /// else the copy already loaded in this process.</summary>
    static string? FindEbpfAssembly()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, EbpfAssemblyFileName);
        if (File.Exists(beside)) return beside;
        return AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == "Ebpf" && !string.IsNullOrEmpty(a.Location))?.Location;
    }
}
