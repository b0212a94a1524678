using System.Collections.Concurrent;
using Ebpf.Cli.Server;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Cli.Building;

/// <summary>What stays loaded between builds in one process: metadata of reference assemblies (by path and timestamp),
/// parsed files (by path, timestamp and parse options), and the last compilation per reference set, from which the next
/// one is derived so Roslyn reuses its bound assemblies instead of binding every reference again.</summary>
public sealed class CompilationCache
{
    readonly ConcurrentDictionary<(string Path, DateTime Stamp, long Length), MetadataReference> _metadata = new();
    readonly ConcurrentDictionary<(string Path, DateTime Stamp, CSharpParseOptions Options), SyntaxTree> _trees = new();
    readonly ConcurrentDictionary<string, CSharpCompilation> _last = new();

    public SyntaxTree Parse(string path, CSharpParseOptions options)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException("the file does not exist", path);
        var key = (path, info.LastWriteTimeUtc, options);
        if (_trees.TryGetValue(key, out var tree)) return tree;
        tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), options, path, System.Text.Encoding.UTF8);
        if (_trees.Count > 4096) _trees.Clear();
        return _trees[key] = tree;
    }

    /// <summary>A compilation of <paramref name="trees"/> against <paramref name="references"/> (empty = the runtime's own
    /// assemblies plus the Ebpf API beside the compiler); null when a reference is missing (reported).</summary>
    public CSharpCompilation? Compilation(IReadOnlyList<string> references, NullableContextOptions nullable, List<SyntaxTree> trees, ICollection<Diagnostic> diagnostics)
    {
        var paths = references.Count > 0 ? references : DefaultReferences.Paths;
        var metadata = new List<MetadataReference>(paths.Count);
        foreach (var path in paths)
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ReferenceNotFound, Location.None, path, "the file does not exist"));
                continue;
            }
            metadata.Add(_metadata.GetOrAdd((info.FullName, info.LastWriteTimeUtc, info.Length), key => MetadataReference.CreateFromFile(key.Path)));
        }
        if (diagnostics.Count > 0) return null;

        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            allowUnsafe: true, nullableContextOptions: nullable, checkOverflow: false, deterministic: true,
            // Bind on the calling thread (the CLI's large stack), not on thread-pool threads that deep expressions overflow.
            concurrentBuild: false);
        var key = string.Join('\n', metadata.Select(m => m.Display));
        if (_last.TryGetValue(key, out var previous) && previous.References.SequenceEqual(metadata))
        {
            // Same references: derive, so the reference manager (bound assembly symbols) is reused.
            var next = previous.RemoveAllSyntaxTrees().AddSyntaxTrees(trees);
            if (!next.Options.Equals(options)) next = next.WithOptions(options);
            return _last[key] = next;
        }
        var created = CSharpCompilation.Create("EbpfProbes", trees, metadata, options);
        if (_last.Count > 16) _last.Clear();
        return _last[key] = created;
    }
}

/// <summary>What <c>ebpf build</c> compiles against without a project: the framework and the Ebpf assemblies beside the
/// compiler — not the tool's own dependencies (Roslyn, System.CommandLine), which probes never use.</summary>
static class DefaultReferences
{
    static readonly string[] Beside = { "Ebpf.dll", "Ebpf.Runtime.dll", "Ebpf.Object.dll", "Ebpf.Btf.dll", "Ebpf.Asm.dll" };

    /// <summary>Where the native tool keeps the framework's reference assemblies (it has no framework assemblies on disk).</summary>
    public const string NativeFrameworkFolder = "framework";

    public static readonly IReadOnlyList<string> Paths = Compute();

    static IReadOnlyList<string> Compute()
    {
        var app = Path.GetFullPath(AppContext.BaseDirectory);
        var beside = Beside.Select(name => Path.Combine(app, name)).Where(File.Exists);
        return Framework(app).Concat(beside).ToList();
    }

    /// <summary>The native tool: the runtime pack's framework assemblies it carries; a managed compiler: the shared
    /// framework it runs on (the trusted platform assemblies in System.Private.CoreLib's folder).</summary>
    static IEnumerable<string> Framework(string app)
    {
        if (ThisCompiler.IsNative)
        {
            var shipped = Path.Combine(app, NativeFrameworkFolder);
            return Directory.Exists(shipped) ? Directory.GetFiles(shipped, "*.dll").Order(StringComparer.Ordinal) : [];
        }
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var framework = Path.GetDirectoryName(platform.FirstOrDefault(p => Path.GetFileName(p) == "System.Private.CoreLib.dll"));
        return platform.Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal));
    }
}
