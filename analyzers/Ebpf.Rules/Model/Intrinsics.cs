using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>A BCL method without C# source that the code generator lowers itself.</summary>
public enum Intrinsic
{
    /// <summary><c>Unsafe.IsNullRef(ref x)</c>: the null check of a map lookup or reservation, on the very pointer later dereferenced.</summary>
    IsNullRef,
    /// <summary><c>Interlocked.Increment</c>: BPF_ATOMIC add (with fetch when the result is used).</summary>
    InterlockedIncrement,
    InterlockedDecrement,
    InterlockedAdd,
    /// <summary><c>Interlocked.Exchange</c>: BPF_XCHG.</summary>
    InterlockedExchange,
    /// <summary><c>Interlocked.CompareExchange</c>: BPF_CMPXCHG (comparand in R0).</summary>
    InterlockedCompareExchange,
    InterlockedAnd,
    InterlockedOr,
    /// <summary><c>Interlocked.Read</c>: a plain 64-bit load (single-copy atomic on BPF).</summary>
    InterlockedRead,
    VolatileRead,
    VolatileWrite,
    /// <summary><c>BinaryPrimitives.ReverseEndianness</c>: BPF_END.</summary>
    ReverseEndianness,
    /// <summary>A member of <c>Span&lt;T&gt;</c>/<c>ReadOnlySpan&lt;T&gt;</c> over the stack, a map value or a packet.</summary>
    SpanMember,
}

/// <summary>The one table of BCL intrinsics: the rules allow exactly these calls to methods without
/// source, and the code generator lowers exactly these (its switch over <see cref="Intrinsic"/> lists
/// every case).</summary>
public static class Intrinsics
{
    static readonly Dictionary<(string Type, string Member), Intrinsic> Table = new()
    {
        [("System.Runtime.CompilerServices.Unsafe", "IsNullRef")] = Intrinsic.IsNullRef,
        [("System.Threading.Interlocked", "Increment")] = Intrinsic.InterlockedIncrement,
        [("System.Threading.Interlocked", "Decrement")] = Intrinsic.InterlockedDecrement,
        [("System.Threading.Interlocked", "Add")] = Intrinsic.InterlockedAdd,
        [("System.Threading.Interlocked", "Exchange")] = Intrinsic.InterlockedExchange,
        [("System.Threading.Interlocked", "CompareExchange")] = Intrinsic.InterlockedCompareExchange,
        [("System.Threading.Interlocked", "And")] = Intrinsic.InterlockedAnd,
        [("System.Threading.Interlocked", "Or")] = Intrinsic.InterlockedOr,
        [("System.Threading.Interlocked", "Read")] = Intrinsic.InterlockedRead,
        [("System.Threading.Volatile", "Read")] = Intrinsic.VolatileRead,
        [("System.Threading.Volatile", "Write")] = Intrinsic.VolatileWrite,
        [("System.Buffers.Binary.BinaryPrimitives", "ReverseEndianness")] = Intrinsic.ReverseEndianness,
        [("System.Span`1", ".ctor")] = Intrinsic.SpanMember,
        [("System.Span`1", "get_Item")] = Intrinsic.SpanMember,
        [("System.Span`1", "get_Length")] = Intrinsic.SpanMember,
        [("System.Span`1", "get_IsEmpty")] = Intrinsic.SpanMember,
        [("System.Span`1", "get_Empty")] = Intrinsic.SpanMember,
        [("System.Span`1", "Slice")] = Intrinsic.SpanMember,
        [("System.Span`1", "GetPinnableReference")] = Intrinsic.SpanMember,
        [("System.Span`1", "op_Implicit")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", ".ctor")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "get_Item")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "get_Length")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "get_IsEmpty")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "get_Empty")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "Slice")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "GetPinnableReference")] = Intrinsic.SpanMember,
        [("System.ReadOnlySpan`1", "op_Implicit")] = Intrinsic.SpanMember,
    };

    /// <summary>The intrinsic <paramref name="method"/> is, or null.</summary>
    public static Intrinsic? Find(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.ContainingType is not { } type) return null;
        return Table.TryGetValue((MetadataName(type), definition.Name), out var intrinsic) ? intrinsic : null;
    }

    /// <summary>Whether <paramref name="method"/> is an intrinsic the code generator lowers.</summary>
    public static bool IsIntrinsic(IMethodSymbol method) => Find(method) is not null;

    /// <summary>The list shown in diagnostics, from the table.</summary>
    public static string Description { get; } = string.Join(", ", Table.Keys
        .Select(k => (Type: ShortName(k.Type), Member: MemberName(k.Member)))
        .GroupBy(k => k.Type)
        .Select(g => $"{g.Key}.{(g.Count() == 1 ? g.First().Member : "{" + string.Join(", ", g.Select(k => k.Member).Distinct()) + "}")}"));

    static string ShortName(string metadataName)
    {
        var name = metadataName.Substring(metadataName.LastIndexOf('.') + 1);
        return name.EndsWith("`1", StringComparison.Ordinal) ? name.Substring(0, name.Length - 2) + "<T>" : name;
    }

    static string MemberName(string member) => member switch
    {
        ".ctor" => "new",
        "get_Item" => "this[]",
        "op_Implicit" => "implicit conversion",
        _ when member.StartsWith("get_", StringComparison.Ordinal) => member.Substring(4),
        _ => member,
    };

    static string MetadataName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + type.MetadataName;
    }
}
