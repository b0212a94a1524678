using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>The CLR's layout of unmanaged types, computed from Roslyn symbols: primitives, enums
/// (their underlying type), pointers (8 bytes), structs with sequential layout and natural alignment,
/// <c>LayoutKind.Explicit</c> with <c>[FieldOffset]</c>, <c>StructLayout.Pack</c> and <c>Size</c>,
/// fixed-size buffers, <c>[InlineArray]</c> and nested structs. One instance per compilation; results
/// are cached per type.</summary>
/// <remarks>
/// The layout must be the one the CLR gives the same type, because user space reads map values and
/// globals through the very same C# struct (checked against the running CLR by the layout tests).
/// Types outside the subset (floating point, managed types, <c>LayoutKind.Auto</c>) have no layout:
/// <see cref="GetLayout(ITypeSymbol)"/> returns null and <see cref="GetLayout(ITypeSymbol, out string?)"/>
/// says why, so the caller reports a located diagnostic.
/// Struct-layout attributes are read from source symbols; Roslyn does not expose the pseudo-custom
/// <c>StructLayout</c>/<c>FieldOffset</c> of metadata types, which are therefore taken as sequential.
/// </remarks>
public sealed class TypeLayouts : ITypeLayouts
{
    /// <summary>Size and alignment of every pointer and native integer on the BPF target.</summary>
    public const int PointerSize = 8;

    readonly ConcurrentDictionary<ITypeSymbol, Result> _cache = new(SymbolEqualityComparer.Default);

    sealed record Result(TypeLayout? Layout, string? Reason);

    public TypeLayout? GetLayout(ITypeSymbol type) => GetLayout(type, out _);

    /// <summary>The layout of <paramref name="type"/>, or null with the reason it has none.</summary>
    public TypeLayout? GetLayout(ITypeSymbol type, out string? reason)
    {
        var result = Get(type, ImmutableStack.Empty);
        reason = result.Reason;
        return result.Layout;
    }

    Result Get(ITypeSymbol type, ImmutableStack inProgress)
    {
        if (_cache.TryGetValue(type, out var cached)) return cached;
        if (inProgress.Contains(type))
            return new Result(null, $"'{type.ToDisplayString()}' contains itself");
        var computed = Compute(type, inProgress.Push(type));
        return _cache.GetOrAdd(type, computed);
    }

    Result Compute(ITypeSymbol type, ImmutableStack inProgress)
    {
        switch (type)
        {
            case IPointerTypeSymbol:
                return Leaf(type, PointerSize);
            case IFunctionPointerTypeSymbol:
                return Leaf(type, PointerSize); // a kernel type's function pointer member (never called from BPF)
            case INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying }:
                return PrimitiveSize(underlying.SpecialType) is int enumSize
                    ? Leaf(type, enumSize)
                    : Fail($"enum '{type.ToDisplayString()}' has an unsupported underlying type");
        }

        if (PrimitiveSize(type.SpecialType) is int size) return Leaf(type, size);
        if (type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal)
            return Fail($"floating-point type '{type.ToDisplayString()}' is not supported in eBPF");
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named)
            return Fail($"'{type.ToDisplayString()}' is not an unmanaged value type");
        if (type.IsRefLikeType)
            return Fail($"ref struct '{type.ToDisplayString()}' has no storable layout");
        return ComputeStruct(named, inProgress);
    }

    static int? PrimitiveSize(SpecialType t) => t switch
    {
        SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte => 1,
        SpecialType.System_Char or SpecialType.System_Int16 or SpecialType.System_UInt16 => 2,
        SpecialType.System_Int32 or SpecialType.System_UInt32 => 4,
        SpecialType.System_Int64 or SpecialType.System_UInt64 => 8,
        SpecialType.System_IntPtr or SpecialType.System_UIntPtr => PointerSize,
        _ => null,
    };

    static Result Leaf(ITypeSymbol type, int size) => new(new TypeLayout(type, size, size, Array.Empty<FieldLayout>()), null);
    static Result Fail(string reason) => new(null, reason);

    Result ComputeStruct(INamedTypeSymbol type, ImmutableStack inProgress)
    {
        var attr = StructLayoutInfo.Read(type);
        if (attr.Kind == LayoutKind.Auto)
            return Fail($"struct '{type.ToDisplayString()}' uses LayoutKind.Auto, whose field order the CLR chooses; use Sequential or Explicit");

        var fields = type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();

        if (InlineArrayLength(type) is int length)
            return ComputeInlineArray(type, fields, length, attr, inProgress);

        var placed = new List<FieldLayout>(fields.Count);
        int offset = 0, maxAlign = 1, end = 0;
        foreach (var field in fields)
        {
            var shape = FieldShape(field, inProgress, out var reason);
            if (shape is null) return Fail($"field '{type.Name}.{field.Name}': {reason}");
            var (fieldSize, fieldAlign, elementType, count) = shape.Value;
            int align = attr.Pack > 0 ? Math.Min(fieldAlign, attr.Pack) : fieldAlign;
            maxAlign = Math.Max(maxAlign, align);

            int fieldOffset;
            if (attr.Kind == LayoutKind.Explicit)
            {
                if (ExplicitOffset(field) is not int explicitOffset)
                    return Fail($"field '{type.Name}.{field.Name}' of an explicit-layout struct has no [FieldOffset]");
                fieldOffset = explicitOffset;
            }
            else
            {
                fieldOffset = AlignUp(offset, align);
            }
            placed.Add(new FieldLayout(field, fieldOffset, fieldSize, elementType, count));
            offset = fieldOffset + fieldSize;
            end = Math.Max(end, offset);
        }

        int size = ClrSize(end, maxAlign, attr.Size);
        return new Result(new TypeLayout(type, size, maxAlign, placed), null);
    }

    Result ComputeInlineArray(INamedTypeSymbol type, List<IFieldSymbol> fields, int length, StructLayoutInfo attr, ImmutableStack inProgress)
    {
        if (fields.Count != 1) return Fail($"[InlineArray] struct '{type.ToDisplayString()}' must have exactly one instance field");
        var element = Get(fields[0].Type, inProgress);
        if (element.Layout is null) return Fail($"element of [InlineArray] '{type.ToDisplayString()}': {element.Reason}");
        int align = element.Layout.Alignment;
        int size = ClrSize(element.Layout.Size * length, align, attr.Size);
        var field = new FieldLayout(fields[0], 0, element.Layout.Size * length, fields[0].Type, length);
        return new Result(new TypeLayout(type, size, align, new[] { field }), null);
    }

    /// <summary>Size, alignment, element type and element count of a field (count &gt; 1 only for fixed buffers).</summary>
    (int Size, int Align, ITypeSymbol ElementType, int Count)? FieldShape(IFieldSymbol field, ImmutableStack inProgress, out string? reason)
    {
        if (field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol { PointedAtType: var element })
        {
            var e = Get(element, inProgress);
            reason = e.Reason;
            if (e.Layout is null) return null;
            return (e.Layout.Size * field.FixedSize, e.Layout.Alignment, element, field.FixedSize);
        }
        var layout = Get(field.Type, inProgress);
        reason = layout.Reason;
        if (layout.Layout is null) return null;
        return (layout.Layout.Size, layout.Layout.Alignment, field.Type, 1);
    }

    static int? ExplicitOffset(IFieldSymbol field)
    {
        foreach (var a in field.GetAttributes())
            if (a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.FieldOffsetAttribute"
                && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int offset)
                return offset;
        return null;
    }

    static int? InlineArrayLength(INamedTypeSymbol type)
    {
        foreach (var a in type.GetAttributes())
            if (a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute"
                && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int length)
                return length;
        return null;
    }

    /// <summary>The CLR's struct size (measured against the running CLR by TypeLayoutTests): an explicit
    /// <c>Size</c> that covers the fields is taken as is, not rounded to the alignment; otherwise the
    /// fields' extent rounded up to the alignment, and never 0 (an empty struct has size 1).</summary>
    static int ClrSize(int fieldsEnd, int alignment, int explicitSize)
        => explicitSize > 0 && explicitSize >= fieldsEnd ? explicitSize : AlignUp(Math.Max(fieldsEnd, 1), alignment);

    public static int AlignUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    /// <summary>What <c>[StructLayout]</c> says: kind (Sequential by default for structs), Pack (0 = natural) and Size.</summary>
    readonly record struct StructLayoutInfo(LayoutKind Kind, int Pack, int Size)
    {
        public static StructLayoutInfo Read(INamedTypeSymbol type)
        {
            foreach (var a in type.GetAttributes())
            {
                if (a.AttributeClass?.ToDisplayString() != "System.Runtime.InteropServices.StructLayoutAttribute") continue;
                var kind = a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is { } k ? (LayoutKind)Convert.ToInt32(k) : LayoutKind.Sequential;
                int pack = 0, size = 0;
                foreach (var named in a.NamedArguments)
                {
                    if (named.Key == "Pack" && named.Value.Value is int p) pack = p;
                    if (named.Key == "Size" && named.Value.Value is int s) size = s;
                }
                return new StructLayoutInfo(kind, pack, size);
            }
            return new StructLayoutInfo(LayoutKind.Sequential, 0, 0);
        }
    }

    /// <summary>The types whose layout is being computed (detects a struct that contains itself).</summary>
    sealed class ImmutableStack
    {
        public static readonly ImmutableStack Empty = new(null, null);
        readonly ITypeSymbol? _head;
        readonly ImmutableStack? _tail;
        ImmutableStack(ITypeSymbol? head, ImmutableStack? tail) { _head = head; _tail = tail; }
        public ImmutableStack Push(ITypeSymbol type) => new(type, this);
        public bool Contains(ITypeSymbol type)
        {
            for (var s = this; s?._head != null; s = s._tail)
                if (SymbolEqualityComparer.Default.Equals(s._head, type)) return true;
            return false;
        }
    }
}
