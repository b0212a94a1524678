using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

// CONTRACT. Implementation: model helper (TypeLayouts). Used by codegen for field offsets,
// struct copies and stack slots, and by the BTF mapper.

/// <summary>Size, alignment and field offsets of an unmanaged C# type, as the CLR lays it out
/// (sequential with natural alignment, explicit [FieldOffset], Pack, fixed buffers, [InlineArray]).</summary>
public sealed record TypeLayout(ITypeSymbol Type, int Size, int Alignment, IReadOnlyList<FieldLayout> Fields)
{
    public FieldLayout? Find(IFieldSymbol field) => Fields.FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.Field, field));
}

/// <summary>A field at a byte offset. For a fixed buffer <see cref="ElementCount"/> is its length.</summary>
public sealed record FieldLayout(IFieldSymbol Field, int Offset, int Size, ITypeSymbol ElementType, int ElementCount = 1);

/// <summary>Computes (and caches) layouts. Returns null for types outside the subset (the caller reports).</summary>
public interface ITypeLayouts
{
    TypeLayout? GetLayout(ITypeSymbol type);
}
