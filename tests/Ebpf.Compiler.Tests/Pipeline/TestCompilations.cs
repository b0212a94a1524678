using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Compiler.Tests.Pipeline;

/// <summary>In-memory C# compilations for driver tests: the running runtime's assemblies plus the
/// Ebpf kernel-API assembly, unsafe code allowed (what the pipeline itself compiles against).</summary>
public static class TestCompilations
{
    public static CSharpCompilation Create(string source, string path = "Probe.cs") => Create(new[] { (source, path) });

    public static CSharpCompilation Create(IEnumerable<(string Source, string Path)> files)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Source, parse, f.Path)).ToList();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable);
        return CSharpCompilation.Create("TestProbe", trees, References.Value, options);
    }

    static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var refs = tpa.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        var ebpf = typeof(Ebpf.BpfObjectAttribute).Assembly.Location;
        if (!tpa.Contains(ebpf)) refs.Add(MetadataReference.CreateFromFile(ebpf));
        return refs;
    });

    /// <summary>Fails the test with the C# errors of <paramref name="compilation"/>, if any.</summary>
    public static void AssertNoErrors(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>Emits and loads <paramref name="compilation"/> into the test process (collectible context).</summary>
    public static Assembly EmitAndLoad(Compilation compilation)
    {
        using var ms = new MemoryStream();
        var emit = compilation.Emit(ms);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        ms.Position = 0;
        var context = new System.Runtime.Loader.AssemblyLoadContext("layout-" + Guid.NewGuid(), isCollectible: true);
        return context.LoadFromStream(ms);
    }
}
