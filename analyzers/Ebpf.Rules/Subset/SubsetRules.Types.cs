using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Subset;

public sealed partial class SubsetRules
{
    /// <summary>A rule broken by a type, with the message arguments.</summary>
    public sealed class Problem
    {
        public Problem(DiagnosticDescriptor descriptor, params object?[] args) { Descriptor = descriptor; Args = args; }
        public DiagnosticDescriptor Descriptor { get; }
        public object?[] Args { get; }
    }

    // Per struct type: the first field (possibly nested) whose type breaks a rule, or none.
    readonly ConcurrentDictionary<ITypeSymbol, (IFieldSymbol Field, Problem Problem)?> _structProblems = new(SymbolEqualityComparer.Default);

    /// <summary>Why a value of <paramref name="type"/> (named <paramref name="what"/> in the message)
    /// cannot exist in eBPF code, or null when it can: strings, arrays, delegates, dynamic, floating point,
    /// nullable value types, classes and interfaces (except the Ebpf API's map types), and structs
    /// containing any of those.</summary>
    public Problem? TypeProblem(ITypeSymbol type, string what) => TypeProblem(type, what, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));

    Problem? TypeProblem(ITypeSymbol type, string what, HashSet<ITypeSymbol> visiting)
    {
        switch (type)
        {
            case IPointerTypeSymbol pointer:
                return TypeProblem(pointer.PointedAtType, what, visiting);
            case IArrayTypeSymbol:
                return new Problem(DiagnosticDescriptors.ManagedArray, what);
            case IDynamicTypeSymbol:
                return new Problem(DiagnosticDescriptors.Dynamic, what);
            case ITypeParameterSymbol or IFunctionPointerTypeSymbol or IErrorTypeSymbol:
                return null;
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return new Problem(DiagnosticDescriptors.StringUsage, what);
            case SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal:
                return new Problem(DiagnosticDescriptors.FloatingPoint, what, type.ToDisplayString());
        }
        if (type.TypeKind == TypeKind.Delegate)
            return new Problem(DiagnosticDescriptors.DelegateUsage, what);
        if (type is INamedTypeSymbol { IsGenericType: true } generic && SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _symbols.Nullable))
            return new Problem(DiagnosticDescriptors.UnsupportedConstruct, $"The nullable value type '{type.ToDisplayString()}' of '{what}'");
        if (type.IsReferenceType)
            return _symbols.IsApi(type) ? null : new Problem(DiagnosticDescriptors.ReferenceType, what, type.ToDisplayString());
        // Spans are lowered from their element type, never from their fields, which differ between the runtime's
        // assemblies (a ref field and a length) and the reference assemblies an IDE or MSBuild compiles against (a
        // placeholder object field).
        if (_symbols.IsSpan(type))
            return TypeProblem(((INamedTypeSymbol)type).TypeArguments[0], what, visiting);
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Struct } structType && !_symbols.IsApi(type))
        {
            if (!visiting.Add(structType)) return null;
            var found = FirstFieldProblem(structType, visiting);
            if (found is { } f)
            {
                var args = f.Problem.Args.ToArray();
                if (args.Length > 0) args[0] = $"{what} ({structType.Name}.{f.Field.Name})";
                return new Problem(f.Problem.Descriptor, args);
            }
        }
        return null;
    }

    (IFieldSymbol Field, Problem Problem)? FirstFieldProblem(INamedTypeSymbol structType, HashSet<ITypeSymbol> visiting)
    {
        if (_structProblems.TryGetValue(structType, out var cached)) return cached;
        (IFieldSymbol, Problem)? result = null;
        foreach (var field in structType.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsConst) continue;
            if (TypeProblem(field.Type, field.Name, visiting) is { } problem) { result = (field, problem); break; }
        }
        _structProblems.TryAdd(structType, result);
        return result;
    }
}
