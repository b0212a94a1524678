using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Rules.Model;

/// <summary>Stage 1 of the pipeline: finds the <c>[BpfObject]</c> classes of a compilation and turns each
/// into a <see cref="BpfObjectModel"/> — its license, program methods (with libbpf section names),
/// maps and global variables (with section offsets and initial bytes). Everything malformed becomes a
/// located EBPF3xxx diagnostic; a class with errors yields no model.</summary>
public static class BpfObjectDiscovery
{
    /// <summary>The default license (language.md §1): GPL-only helpers are available.</summary>
    public const string DefaultLicense = "GPL";

    public static IReadOnlyList<BpfObjectModel> Discover(Compilation compilation, ICollection<Diagnostic> diagnostics)
        => Discover(compilation, new TypeLayouts(), diagnostics);

    /// <summary>The objects of <paramref name="compilation"/>, in source order, using <paramref name="layouts"/> for sizes.</summary>
    public static IReadOnlyList<BpfObjectModel> Discover(Compilation compilation, TypeLayouts layouts, ICollection<Diagnostic> diagnostics)
    {
        var symbols = EbpfSymbols.Create(compilation);
        if (symbols is null) return Array.Empty<BpfObjectModel>();
        var objects = new List<BpfObjectModel>();
        foreach (var type in SourceTypes(compilation.Assembly.GlobalNamespace))
        {
            if (symbols.IsBpfObjectClass(type))
            {
                if (DiscoverObject(type, symbols, layouts, diagnostics) is { } model) objects.Add(model);
                continue;
            }
            if (symbols.ContainingObjectClass(type) != null) continue; // nested in an object: its programs belong there
            CheckProgramsOutsideObjects(type, diagnostics);
        }
        return objects;
    }

    /// <summary>Reports the program methods of <paramref name="type"/>, a type outside every <c>[BpfObject]</c> class (EBPF3015).</summary>
    public static void CheckProgramsOutsideObjects(INamedTypeSymbol type, ICollection<Diagnostic> diagnostics)
    {
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            if (ProgramDiscovery.ProgramAttributes(method).Count > 0)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramOutsideObject, method.Locations.FirstOrDefault(), method.Name));
    }

    /// <summary>The <c>[BpfObject]</c> classes declared in <paramref name="compilation"/>'s source.</summary>
    public static IEnumerable<INamedTypeSymbol> ObjectClasses(Compilation compilation, EbpfSymbols symbols)
        => SourceTypes(compilation.Assembly.GlobalNamespace).Where(t => MayBeObjectClass(t) && symbols.IsBpfObjectClass(t));

    /// <summary>A syntactic filter before binding attributes: only a type declared with an attribute spelled
    /// <c>BpfObject...</c> can be an object class. Binding the attributes of every type would make a generated file of
    /// all kernel types (<c>ebpf gen vmlinux</c>, some 13,000 structs with attributes) cost seconds per build.</summary>
    static bool MayBeObjectClass(INamedTypeSymbol type)
        => type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is BaseTypeDeclarationSyntax declaration
            && declaration.AttributeLists.Any(list => list.Attributes.Any(a => a.Name.ToString().Contains("BpfObject", StringComparison.Ordinal))));

    static IEnumerable<INamedTypeSymbol> SourceTypes(INamespaceSymbol ns)
    {
        foreach (var member in ns.GetMembers())
        {
            if (member is INamespaceSymbol child)
                foreach (var t in SourceTypes(child)) yield return t;
            else if (member is INamedTypeSymbol type)
                foreach (var t in WithNested(type)) yield return t;
        }
    }

    static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
    {
        yield return type;
        foreach (var nested in type.GetTypeMembers())
            foreach (var t in WithNested(nested)) yield return t;
    }

    /// <summary>The model of one <c>[BpfObject]</c> class, or null when it has errors (added to <paramref name="diagnostics"/>).</summary>
    public static BpfObjectModel? DiscoverObject(INamedTypeSymbol type, EbpfSymbols symbols, TypeLayouts layouts, ICollection<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        var where = type.Locations.FirstOrDefault() ?? Location.None;
        bool isPartial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
        if (!type.IsStatic || !isPartial)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ObjectClassNotStaticPartial, where, type.Name));
        for (var t = type; t != null; t = t.ContainingType)
            if (t.IsGenericType) { diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericObjectClass, where, type.Name)); break; }

        var attribute = type.GetAttributes().First(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.BpfObjectAttribute));
        string license = attribute.NamedArguments.FirstOrDefault(n => n.Key == "License").Value.Value as string ?? DefaultLicense;
        if (LicenseError(license) is { } licenseError)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidLicense, attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? where, type.Name, licenseError));

        var model = new BpfObjectModel { Class = type, License = license };

        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            var attributes = ProgramDiscovery.ProgramAttributes(method);
            if (attributes.Count == 0) continue;
            if (attributes.Count > 1)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MultipleProgramAttributes, method.Locations.FirstOrDefault(), method.Name,
                    string.Join(", ", attributes.Select(a => ProgramKinds.AttributeName(a.Kind)))));
                continue;
            }
            if (ProgramDiscovery.Discover(method, attributes[0].Attribute, attributes[0].Kind, diagnostics) is { } program)
                model.Programs.Add(program);
        }

        var globalFields = new List<IFieldSymbol>();
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (!field.IsStatic || field.IsConst || field.IsImplicitlyDeclared) continue;
            if (KernelApi.KsymName(field) is { } ksym)
            {
                model.KernelVariables.Add(new KernelVariableModel(field, ksym));
                continue;
            }
            if (symbols.IsMapType(field.Type))
            {
                if (MapDiscovery.Discover(field, symbols, layouts, diagnostics) is { } map) model.Maps.Add(map);
            }
            else
            {
                globalFields.Add(field);
            }
        }
        model.Globals.AddRange(GlobalDiscovery.Discover(globalFields, symbols.Compilation, layouts, diagnostics));

        foreach (var duplicate in model.Programs.GroupBy(p => p.Method.Name).Where(g => g.Count() > 1))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.DuplicateSymbol, duplicate.Last().Method.Locations.FirstOrDefault(), duplicate.Key, type.Name));

        if (diagnostics.Skip(before).Any(d => d.Severity == DiagnosticSeverity.Error)) return null;
        if (model.Programs.Count == 0)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ObjectWithoutPrograms, where, type.Name));
        return model;
    }

    /// <summary>libbpf copies at most 63 bytes of the license, and the kernel compares it as a C string.</summary>
    static string? LicenseError(string license)
    {
        if (license.Any(c => c is < ' ' or > '~')) return "must be printable ASCII (the kernel compares it as a C string)";
        if (license.Length > 63) return $"is {license.Length} characters long; libbpf passes at most 63 to the kernel";
        return null;
    }
}
