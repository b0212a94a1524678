using Ebpf.Object;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>What user space sees of one <c>[BpfObject]</c> class — its maps, globals and programs by
/// name and C# type — as plain, equatable data: the source generator's model. It holds no
/// <see cref="ISymbol"/> or syntax, so an edit that leaves it unchanged regenerates nothing.</summary>
/// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing type declarations, outermost first (e.g. <c>static partial class Outer</c>).</param>
public sealed record ObjectShape(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string Accessibility,
    EquatableArray<MapShape> Maps,
    EquatableArray<GlobalShape> Globals,
    EquatableArray<ProgramShape> Programs)
{
    /// <summary>The resource name the build embeds the object under (<c>&lt;Class&gt;.bpf.o</c>).</summary>
    public string ResourceName => ClassName + ".bpf.o";

    /// <summary>The shape of <paramref name="model"/>.</summary>
    public static ObjectShape From(BpfObjectModel model)
    {
        var type = model.Class;
        var containing = new List<string>();
        for (var t = type.ContainingType; t != null; t = t.ContainingType)
            containing.Insert(0, $"{(t.IsStatic ? "static " : "")}partial {(t.TypeKind == TypeKind.Struct ? "struct" : "class")} {t.Name}");
        return new ObjectShape(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            new EquatableArray<string>(containing),
            type.Name,
            AccessibilityText(type.DeclaredAccessibility),
            new EquatableArray<MapShape>(model.Maps.Select(m => new MapShape(m.Name, m.Type, TypeName(m.KeyType), TypeName(m.ValueType)))),
            new EquatableArray<GlobalShape>(model.Globals.Select(g => new GlobalShape(g.Name, TypeName(g.Field.Type)!, g.Section))),
            new EquatableArray<ProgramShape>(model.Programs.Select(p => new ProgramShape(p.Method.Name, p.Kind, p.SectionName, p.AttachTarget))));
    }

    static string? TypeName(ITypeSymbol? type) => type?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };
}

/// <summary>A map by field name, kernel type and the probe's own key and value types (fully qualified
/// C# names; null where the map has no typed key or value, as ring buffers).</summary>
public sealed record MapShape(string Name, MapType Type, string? KeyType, string? ValueType);

/// <summary>A global variable by field name, fully qualified C# type and section (<c>.rodata</c>, <c>.data</c>, <c>.bss</c>).</summary>
public sealed record GlobalShape(string Name, string Type, string Section)
{
    /// <summary>Set by user space before load, then constant for the verifier.</summary>
    public bool IsReadOnly => Section == GlobalDiscovery.ReadOnlyData;
}

/// <summary>A program by method name, attribute kind, libbpf section name and the attach target the
/// attribute names (null when it is given at attach time).</summary>
public sealed record ProgramShape(string Name, ProgramKind Kind, string SectionName, string? AttachTarget);
