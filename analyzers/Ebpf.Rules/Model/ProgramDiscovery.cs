using Ebpf.Object;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Rules.Model;

/// <summary>Turns a method with a program attribute into a <see cref="ProgramModel"/>: the libbpf section
/// name from the attribute's arguments, and a signature check (static, not generic, the context
/// parameter and return type its kind requires).</summary>
static class ProgramDiscovery
{
    /// <summary>The program attributes on <paramref name="method"/> with their kinds.</summary>
    public static List<(AttributeData Attribute, ProgramKind Kind)> ProgramAttributes(IMethodSymbol method)
    {
        var found = new List<(AttributeData, ProgramKind)>();
        foreach (var attribute in method.GetAttributes())
            if (attribute.AttributeClass is { } type && ProgramKinds.ByAttribute.TryGetValue(type.ToDisplayString(), out var kind))
                found.Add((attribute, kind));
        return found;
    }

    public static ProgramModel? Discover(IMethodSymbol method, AttributeData attribute, ProgramKind kind, ICollection<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        var where = method.Locations.FirstOrDefault() ?? Location.None;
        var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? where;
        var description = ProgramKinds.AttributeName(kind);

        if (!method.IsStatic) diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramNotStatic, where, method.Name));
        if (method.IsGenericMethod) diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericProgram, where, method.Name));

        var context = ProgramKinds.ContextOf(kind);
        CheckContextParameter(method, context, where, description, diagnostics);
        CheckReturnType(method, kind, where, description, diagnostics);

        var (section, target, error) = SectionName(kind, attribute);
        if (error != null) diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramAttributeArgument, attributeLocation, method.Name, error));

        if (diagnostics.Count != before) return null;
        return new ProgramModel
        {
            Method = method,
            SectionName = section,
            Type = ProgramKinds.TypeOf(kind),
            ExpectedAttachType = ProgramKinds.ExpectedAttachType(kind, attribute),
            Context = context,
            Kind = kind,
            AttachTarget = target,
        };
    }

    static void CheckContextParameter(IMethodSymbol method, ContextKind context, Location where,
        string description, ICollection<Diagnostic> diagnostics)
    {
        var expectedName = ProgramKinds.ContextTypeName(context);
        string expected = expectedName is null ? "'in T' (T an unmanaged struct laid out as the tracepoint's record)" : $"'{expectedName.Substring("Ebpf.".Length)}'";
        if (method.Parameters.Length == 0)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramContextParameter, where, method.Name, description, expected));
            return;
        }
        var parameter = method.Parameters[0];
        bool ok = expectedName is null
            ? parameter.RefKind is RefKind.In or RefKind.RefReadOnlyParameter && parameter.Type is INamedTypeSymbol { TypeKind: TypeKind.Struct, IsUnmanagedType: true }
            : parameter.RefKind is RefKind.None or RefKind.In or RefKind.RefReadOnlyParameter && parameter.Type.ToDisplayString() == expectedName;
        if (!ok)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramContextParameter, ParameterLocation(parameter), method.Name, description, expected));

        if (method.Parameters.Length > 1 && !ProgramKinds.TakesProbeArguments(context))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramExtraParameters, ParameterLocation(method.Parameters[1]), method.Name, description));
    }

    static void CheckReturnType(IMethodSymbol method, ProgramKind kind, Location where, string description,
        ICollection<Diagnostic> diagnostics)
    {
        var verdict = ProgramKinds.VerdictTypeName(kind);
        var returnType = method.ReturnType;
        bool ok = returnType.SpecialType == SpecialType.System_Int32 || (verdict != null && returnType.ToDisplayString() == verdict);
        if (ok) return;
        string expected = verdict is null ? "int" : $"'{verdict.Substring("Ebpf.".Length)}' or int";
        var location = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<MethodDeclarationSyntax>().FirstOrDefault()?.ReturnType.GetLocation() ?? where;
        diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ProgramReturnType, location, method.Name, description, expected));
    }

    static Location ParameterLocation(IParameterSymbol parameter)
        => parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? parameter.Locations.FirstOrDefault() ?? Location.None;

    /// <summary>The libbpf section name and attach target; or an error message for bad attribute arguments.</summary>
    static (string Section, string? Target, string? Error) SectionName(ProgramKind kind, AttributeData attribute)
    {
        string? Arg(string name) => Argument(attribute, name) as string;
        var hook = ProgramKinds.Info(kind).HookOf(attribute);
        switch (kind)
        {
            case ProgramKind.Tracepoint:
            {
                var category = Arg("category");
                var name = Arg("name");
                if (Identifier(category, "tracepoint category") is { } e1) return ("", null, e1);
                if (Identifier(name, "tracepoint name") is { } e2) return ("", null, e2);
                return ($"{hook.Section}/{category}/{name}", $"{category}/{name}", null);
            }
            case ProgramKind.RawTracepoint or ProgramKind.RawTracepointWritable: return Named(hook.Section, Arg("name"), "raw tracepoint name");
            case ProgramKind.TracepointBtf: return Named(hook.Section, Arg("name"), "tracepoint name");
            case ProgramKind.Kprobe or ProgramKind.Kretprobe or ProgramKind.Fentry or ProgramKind.Fexit:
                return Named(hook.Section, Arg("function"), "kernel function name");
            case ProgramKind.Uprobe or ProgramKind.Uretprobe: return Uprobe(hook.Section, Arg("binary"), Arg("symbol"));
            case ProgramKind.Lsm: return Named(hook.Section, Arg("hook"), "LSM hook name");
            case ProgramKind.Iterator: return Named(hook.Section, Arg("target"), "iterator target (task, bpf_map, ...)");
            default: return (hook.Section, null, null);
        }
    }

    static (string, string?, string?) Named(string prefix, string? name, string what)
        => Identifier(name, what) is { } error ? ("", null, error) : ($"{prefix}/{name}", name, null);

    static (string, string?, string?) Uprobe(string prefix, string? binary, string? symbol)
    {
        bool hasBinary = !string.IsNullOrEmpty(binary), hasSymbol = !string.IsNullOrEmpty(symbol);
        if (!hasBinary && !hasSymbol) return (prefix, null, null);
        if (hasBinary != hasSymbol) return ("", null, "give both the binary and the symbol, or neither (then the target is given when attaching)");
        if (binary!.Contains(':') || binary.Any(char.IsWhiteSpace)) return ("", null, $"the binary path '{binary}' cannot contain ':' or white space");
        if (Identifier(symbol!.Split('+')[0], "symbol") is { } error) return ("", null, error);
        return ($"{prefix}/{binary}:{symbol}", $"{binary}:{symbol}", null);
    }

    /// <summary>Kernel names (tracepoints, functions, hooks) are C identifiers; '.' is allowed for
    /// compiler-generated kernel symbols such as <c>foo.isra.0</c>.</summary>
    static string? Identifier(string? value, string what)
    {
        if (value is null || value.Length == 0) return $"the {what} is empty";
        if (!value.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.') || value[0] is >= '0' and <= '9')
            return $"the {what} '{value}' is not a kernel identifier (letters, digits, '_')";
        return null;
    }

    /// <summary>A constructor argument by parameter name (or a named property), or null.</summary>
    static object? Argument(AttributeData attribute, string name)
    {
        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        for (int i = 0; !parameters.IsDefault && i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
            if (parameters[i].Name == name) return attribute.ConstructorArguments[i].Value;
        foreach (var named in attribute.NamedArguments)
            if (string.Equals(named.Key, name, StringComparison.OrdinalIgnoreCase)) return named.Value.Value;
        return null;
    }
}
