using Ebpf.Object;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Model;

/// <summary>Turns a <c>static readonly</c> field of a map type into a <see cref="MapModel"/>. The map
/// type's <c>[BpfMap]</c> attribute (in the Ebpf API) gives the kernel map type and fixed key/value
/// sizes; the type arguments <c>TKey</c> and <c>TValue</c>/<c>T</c> give typed keys and values; the
/// initializer's constant arguments give <c>max_entries</c> (<c>maxEntries</c>, or <c>sizeBytes</c>
/// for ring buffers), <c>map_flags</c> (<c>flags</c>) and <c>pinning</c>.</summary>
static class MapDiscovery
{
    public static MapModel? Discover(IFieldSymbol field, EbpfSymbols symbols, ITypeLayouts layouts, ICollection<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        var where = field.Locations.FirstOrDefault() ?? Location.None;
        var type = (INamedTypeSymbol)field.Type;
        var compilation = symbols.Compilation;

        var creation = Initializer(field, compilation);
        if (!field.IsStatic || !field.IsReadOnly || creation is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapFieldShape, where, field.Name, type.ToDisplayString()));
            return null;
        }

        var (mapTypeValue, fixedKeySize, fixedValueSize) = MapAttribute(type);
        var mapType = (MapType)mapTypeValue;

        var arguments = new Dictionary<string, ulong>();
        foreach (var argument in creation.Arguments)
        {
            var name = argument.Parameter?.Name ?? "?";
            if (argument.Value.ConstantValue is { HasValue: true, Value: { } value })
                arguments[name] = Convert.ToUInt64(value);
            else
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapArgumentNotConstant, argument.Value.Syntax.GetLocation(), name, field.Name));
        }
        if (diagnostics.Count != before) return null;

        ulong maxEntries = arguments.TryGetValue("maxEntries", out var m) ? m : arguments.TryGetValue("sizeBytes", out var s) ? s : 0;
        uint mapFlags = arguments.TryGetValue("flags", out var flagValue) ? checked((uint)flagValue) : 0;
        if (CheckSize(mapType, maxEntries, mapFlags) is { } sizeError)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapSizeInvalid, creation.Syntax.GetLocation(), field.Name, sizeError));

        var keyType = TypeArgument(type, "TKey");
        var valueType = TypeArgument(type, "TValue") ?? TypeArgument(type, "T");
        uint keySize = Size(keyType, fixedKeySize, "key", field, layouts, where, diagnostics) ?? 0;
        uint valueSize = Size(valueType, fixedValueSize, "value", field, layouts, where, diagnostics) ?? 0;
        if (valueType is null && fixedValueSize < 0)
        {
            // A value sized by a constructor argument: stack-trace maps store maxDepth 8-byte addresses.
            if (arguments.TryGetValue("maxDepth", out var depth)) valueSize = checked((uint)depth * 8);
            else diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapTypeNotSupported, where, field.Name, type.ToDisplayString(),
                "its value size is neither a type argument nor fixed by [BpfMap]"));
        }
        var uintType = compilation.GetSpecialType(SpecialType.System_UInt32);
        if (keyType is null && keySize == 4) keyType = uintType;
        if (valueType is null && valueSize == 4 && fixedValueSize == 4) valueType = uintType;

        InnerMapModel? inner = null;
        if (TypeArgument(type, "TInner") is INamedTypeSymbol innerType)
            inner = Inner(innerType, arguments.TryGetValue("innerMaxEntries", out var innerMax) ? innerMax : 0, field, symbols, layouts, where, diagnostics);

        if (diagnostics.Count != before) return null;
        return new MapModel
        {
            Inner = inner,
            Field = field,
            Type = mapType,
            KeyType = keyType,
            ValueType = valueType,
            KeySize = keySize,
            ValueSize = valueSize,
            MaxEntries = checked((uint)maxEntries),
            Flags = mapFlags,
            Pinning = arguments.TryGetValue("pinning", out var pinning) ? (MapPinning)pinning : MapPinning.None,
        };
    }

    /// <summary>The inner template of a map of maps: the map class <paramref name="type"/> with its own key and value
    /// type arguments, and <paramref name="maxEntries"/> entries.</summary>
    static InnerMapModel? Inner(INamedTypeSymbol type, ulong maxEntries, IFieldSymbol field, EbpfSymbols symbols, ITypeLayouts layouts,
        Location where, ICollection<Diagnostic> diagnostics)
    {
        if (type.IsAbstract || TypeArgument(type, "TInner") is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapTypeNotSupported, where, field.Name, type.ToDisplayString(),
                "an inner map must be a concrete map class that holds no maps itself"));
            return null;
        }
        if (type.TypeKind == TypeKind.Error) return null;   // a type that does not bind: the C# compiler reports it
        if (KernelApi.MapClass(type) is not var (mapType, fixedKeySize, fixedValueSize))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapTypeNotSupported, where, field.Name, type.ToDisplayString(),
                "an inner map must be a map class (HashMap, ArrayMap, ...)"));
            return null;
        }
        if (CheckSize((MapType)mapType, maxEntries, 0) is { } sizeError)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapTypeNotSupported, where, field.Name, type.ToDisplayString(), "innerMaxEntries: " + sizeError));
        var keyType = TypeArgument(type, "TKey");
        var valueType = TypeArgument(type, "TValue") ?? TypeArgument(type, "T");
        uint keySize = Size(keyType, fixedKeySize, "inner key", field, layouts, where, diagnostics) ?? 0;
        uint valueSize = Size(valueType, fixedValueSize, "inner value", field, layouts, where, diagnostics) ?? 0;
        var uintType = symbols.Compilation.GetSpecialType(SpecialType.System_UInt32);
        if (keyType is null && keySize == 4) keyType = uintType;
        return new InnerMapModel((MapType)mapType, keyType, valueType, keySize, valueSize, checked((uint)maxEntries), 0);
    }

    /// <summary>The <c>new(...)</c> that initializes <paramref name="field"/>, or null.</summary>
    static IObjectCreationOperation? Initializer(IFieldSymbol field, Compilation compilation)
    {
        foreach (var reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer }) continue;
            var operation = OperationTree.Of(compilation, initializer);
            var value = (operation as IFieldInitializerOperation)?.Value;
            while (value is IConversionOperation { IsImplicit: true } conversion) value = conversion.Operand;
            return value as IObjectCreationOperation;
        }
        return null;
    }

    /// <summary>The [BpfMap] attribute on the type or its nearest base: kernel map type, KeySize, ValueSize (-1 = from a type argument).</summary>
    static (uint Type, int KeySize, int ValueSize) MapAttribute(INamedTypeSymbol type)
        => KernelApi.MapClass(type) ?? throw new InvalidOperationException($"'{type}' is not a map type");

    static ITypeSymbol? TypeArgument(INamedTypeSymbol type, string parameterName)
    {
        var parameters = type.OriginalDefinition.TypeParameters;
        for (int i = 0; i < parameters.Length; i++)
            if (parameters[i].Name == parameterName) return type.TypeArguments[i];
        return null;
    }

    static uint? Size(ITypeSymbol? type, int fixedSize, string role, IFieldSymbol field, ITypeLayouts layouts, Location where, ICollection<Diagnostic> diagnostics)
    {
        if (type is null) return fixedSize >= 0 ? (uint)fixedSize : null;
        string? reason = null;
        var layout = layouts is TypeLayouts concrete ? concrete.GetLayout(type, out reason) : layouts.GetLayout(type);
        if (layout is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MapTypeArgumentLayout, where, role, type.ToDisplayString(), field.Name,
                reason ?? "it is not an unmanaged type"));
            return null;
        }
        return (uint)layout.Size;
    }

    /// <summary>The kernel's limits on <c>max_entries</c> for the map type, as an error message or null.</summary>
    static string? CheckSize(MapType type, ulong maxEntries, uint flags)
    {
        const uint NoPrealloc = 1; // BPF_F_NO_PREALLOC
        if (maxEntries > uint.MaxValue) return $"{maxEntries} entries do not fit in the kernel's 32-bit max_entries";
        switch (type)
        {
            case MapType.RingBuf or MapType.UserRingBuf:
                if (maxEntries < 4096 || (maxEntries & (maxEntries - 1)) != 0)
                    return $"a ring buffer's size ({maxEntries} bytes) must be a power of two and a multiple of the page size (4096)";
                return null;
            case MapType.PerfEventArray:
                return null; // 0 = one entry per CPU (set by the loader)
            case MapType.TaskStorage or MapType.InodeStorage or MapType.SkStorage or MapType.CgrpStorage:
                // Sized by the objects values hang on: the kernel wants max_entries 0 and BPF_F_NO_PREALLOC.
                return (flags & NoPrealloc) == 0 ? "local storage must be created with MapFlags.NoPrealloc (the kernel rejects it otherwise)" : null;
            default:
                return maxEntries == 0 ? "maxEntries must be greater than 0 (the kernel rejects max_entries 0)" : null;
        }
    }
}
