using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>BCL methods without C# source that the code generator lowers itself (so calling them is
/// allowed although their bodies cannot be compiled). Keep in step with codegen's lowering.</summary>
public static class Intrinsics
{
    /// <summary>Type (metadata name of the original definition) -&gt; allowed member names; null = every member.</summary>
    static readonly Dictionary<string, HashSet<string>?> Allowed = new()
    {
        // ref results of map lookups: null checks and null refs.
        ["System.Runtime.CompilerServices.Unsafe"] = new() { "IsNullRef", "AsRef", "NullRef" },
        // BPF atomics (BPF_ATOMIC add/and/or/xor/xchg/cmpxchg).
        ["System.Threading.Interlocked"] = null,
        // BPF_END byte swaps.
        ["System.Buffers.Binary.BinaryPrimitives"] = new() { "ReverseEndianness" },
        // Spans over the stack, map values, packets: construction, indexing, length, slicing.
        ["System.Span`1"] = SpanMembers(),
        ["System.ReadOnlySpan`1"] = SpanMembers(),
    };

    static HashSet<string> SpanMembers() => new()
    {
        ".ctor", "get_Item", "get_Length", "get_IsEmpty", "get_Empty", "Slice", "GetPinnableReference", "op_Implicit",
    };

    /// <summary>Whether <paramref name="method"/> is an intrinsic the code generator lowers.</summary>
    public static bool IsIntrinsic(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        var type = definition.ContainingType;
        if (type is null) return false;
        var key = MetadataName(type);
        return Allowed.TryGetValue(key, out var members) && (members is null || members.Contains(definition.Name));
    }

    /// <summary>The list shown in diagnostics.</summary>
    public const string Description =
        "Unsafe.IsNullRef/AsRef/NullRef, Interlocked.*, BinaryPrimitives.ReverseEndianness and Span<T>/ReadOnlySpan<T> construction, indexing, Length and Slice";

    static string MetadataName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + type.MetadataName;
    }
}
