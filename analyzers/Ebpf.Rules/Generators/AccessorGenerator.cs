using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Generators;

/// <summary>Generates typed user-space accessors for every <c>[BpfObject]</c> class: <c>Open()</c> and
/// <c>Load()</c> from the embedded object, <c>.rodata</c> globals as properties set before load, maps
/// typed with the probe's own key and value types, one accessor per program with <c>Attach()</c>
/// overloads, <c>.data</c>/<c>.bss</c> globals readable and writable after load, <c>AttachAll()</c>, and
/// <c>Dispose()</c>. One C# type serves the kernel and user space, so nothing is looked up by string
/// in user code and no struct is kept in step by hand.</summary>
/// <remarks>Runs only where the compilation references the runtime (<c>Ebpf.Runtime.Collection</c>):
/// a probe-only library gets no accessors. Classes whose discovery reports errors get none either;
/// the analyzer reports those errors.</remarks>
[Generator(LanguageNames.CSharp)]
public sealed class AccessorGenerator : IIncrementalGenerator
{
    const string BpfObjectAttribute = "Ebpf.BpfObjectAttribute";
    const string RuntimeCollection = "Ebpf.Runtime.Collection";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var hasRuntime = context.CompilationProvider
            .Select((compilation, _) => compilation.GetTypeByMetadataName(RuntimeCollection) is not null)
            .WithTrackingName(TrackingNames.HasRuntime);

        var shapes = context.SyntaxProvider
            .ForAttributeWithMetadataName(BpfObjectAttribute,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: static (ctx, _) => Describe(ctx.TargetSymbol as INamedTypeSymbol, ctx.SemanticModel.Compilation))
            .Where(static shape => shape is not null)
            .Select(static (shape, _) => shape!)
            .WithTrackingName(TrackingNames.Shapes);

        var outputs = shapes.Combine(hasRuntime)
            .Where(static pair => pair.Right)
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(TrackingNames.Outputs);

        context.RegisterSourceOutput(outputs, static (output, shape) =>
            output.AddSource(HintName(shape), AccessorWriter.Write(shape)));
    }

    static ObjectShape? Describe(INamedTypeSymbol? type, Compilation compilation)
    {
        if (type is null) return null;
        var symbols = EbpfSymbols.Create(compilation);
        if (symbols is null) return null;
        var diagnostics = new List<Diagnostic>();
        var model = BpfObjectDiscovery.DiscoverObject(type, symbols, new TypeLayouts(), diagnostics);
        return model is null ? null : ObjectShape.From(model);
    }

    static string HintName(ObjectShape shape)
    {
        var parts = new List<string>();
        if (shape.Namespace is { } ns) parts.Add(ns);
        parts.AddRange(shape.ContainingTypes.Select(t => t.Split(' ').Last()));
        parts.Add(shape.ClassName);
        return string.Join(".", parts) + ".Accessors.g.cs";
    }

    /// <summary>Names of the generator's steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string HasRuntime = nameof(HasRuntime);
        public const string Shapes = nameof(Shapes);
        public const string Outputs = nameof(Outputs);
    }
}
