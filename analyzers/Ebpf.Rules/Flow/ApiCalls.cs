using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Flow;

/// <summary>What the flow analysis needs to know about a call or member of the kernel-side API, read from
/// the attributes that API carries (<c>[MapHelper]</c>, <c>[BpfHelper]</c>, <c>[ContextField]</c>,
/// <c>[PacketRead]</c>, program attributes): the one place the flow rules recognize a lookup, a
/// reservation, a submit, a packet pointer or a helper's size argument.</summary>
public static class ApiCalls
{
    const string MapHelper = "Ebpf.MapHelperAttribute";
    const string BpfHelper = "Ebpf.BpfHelperAttribute";
    const string ContextField = "Ebpf.ContextFieldAttribute";
    const string PacketRead = "Ebpf.PacketReadAttribute";
    const string PacketWrite = "Ebpf.PacketWriteAttribute";
    const string ContextArgument = "Ebpf.ContextArgumentAttribute";
    const string Tracepoint = "Ebpf.TracepointAttribute";

    // enum bpf_func_id of the map helpers whose results the verifier tracks.
    const int MapLookupElem = 1, RingbufReserve = 131, RingbufSubmit = 132, RingbufDiscard = 133;

    static AttributeData? Find(ISymbol symbol, string name)
        => symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == name);

    static int? Int(AttributeData? a, int index)
        => a is not null && a.ConstructorArguments.Length > index && a.ConstructorArguments[index].Value is int v ? v : null;

    static int? MapHelperId(IMethodSymbol m) => Int(Find(m.OriginalDefinition, MapHelper), 0);

    /// <summary>The helper id of a <c>[BpfHelper]</c> method, or null.</summary>
    public static int? HelperId(IMethodSymbol m) => Int(Find(m.OriginalDefinition, BpfHelper), 0);

    /// <summary><c>ref T Lookup(key)</c>: bpf_map_lookup_elem returning the value by reference (null ref when absent).</summary>
    public static bool IsLookup(IMethodSymbol m) => m.ReturnsByRef && MapHelperId(m) == MapLookupElem;

    /// <summary><c>TInner? Lookup(key)</c> of a map of maps: bpf_map_lookup_elem returning the inner map (null when absent).</summary>
    public static bool IsInnerMapLookup(IMethodSymbol m) => !m.ReturnsByRef && m.ReturnType.IsReferenceType && MapHelperId(m) == MapLookupElem;

    /// <summary><c>ref T Reserve&lt;T&gt;()</c>: bpf_ringbuf_reserve (a null ref when the ring is full).</summary>
    public static bool IsReserve(IMethodSymbol m) => m.ReturnsByRef && MapHelperId(m) == RingbufReserve;

    /// <summary>bpf_ringbuf_submit or bpf_ringbuf_discard: releases the record passed first.</summary>
    public static bool IsRelease(IMethodSymbol m) => MapHelperId(m) is RingbufSubmit or RingbufDiscard;

    /// <summary>Whether the method is part of the kernel API (a helper or a map method the compiler lowers to one).</summary>
    public static bool IsHelper(IMethodSymbol m) => HelperId(m) is not null || MapHelperId(m) is not null;

    /// <summary><c>Unsafe.IsNullRef(ref x)</c>: the only null test a <c>ref</c> has.</summary>
    public static bool IsNullRefTest(IMethodSymbol m)
        => m.Name == "IsNullRef" && m.ContainingType.ToDisplayString() == "System.Runtime.CompilerServices.Unsafe";

    /// <summary><c>Math.Min</c>/<c>Math.Clamp</c>: the result is bounded when one bound is.</summary>
    public static bool IsClamp(IMethodSymbol m)
        => m.Name is "Min" or "Clamp" && m.ContainingType.ToDisplayString() is "System.Math";

    /// <summary>Whether <paramref name="p"/> of a helper is a byte count the verifier must see bounded
    /// (ARG_CONST_SIZE: <c>size</c>, <c>len</c>, <c>length</c> of a helper taking a raw buffer).</summary>
    public static bool IsSizeParameter(IMethodSymbol helper, IParameterSymbol p)
        => HelperId(helper) is not null && p.Name is "size" or "len" or "length" or "sizeBytes"
           && p.Type.SpecialType is SpecialType.System_UInt32 or SpecialType.System_Int32 or SpecialType.System_UInt64 or SpecialType.System_Int64
           && helper.Parameters.Any(q => q.Type is IPointerTypeSymbol);

    /// <summary>The packet field a context property reads: data, data_end, or neither.</summary>
    public static PacketField PacketFieldOf(IPropertySymbol property)
    {
        if (Int(Find(property.OriginalDefinition, ContextField), 0) is not int offset) return PacketField.None;
        foreach (var m in property.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            var a = Find(m, PacketRead) ?? Find(m, PacketWrite);
            if (a is null) continue;
            if (Int(a, 0) == offset) return PacketField.Data;
            if (Int(a, 1) == offset) return PacketField.DataEnd;
        }
        return PacketField.None;
    }

    /// <summary>A context struct (XdpContext, ...): the type of the pointer a program receives in R1.</summary>
    public static bool IsContextType(ITypeSymbol type)
        => type is INamedTypeSymbol { TypeKind: TypeKind.Struct } named && named.GetMembers().Any(member =>
            member is IPropertySymbol p && Find(p, ContextField) is not null
            || member is IMethodSymbol m && (Find(m, PacketRead) ?? Find(m, PacketWrite) ?? Find(m, ContextArgument)) is not null);

    /// <summary>Whether the method is a <c>[Tracepoint]</c> program (its context is the event record).</summary>
    public static bool IsTracepointProgram(IMethodSymbol m) => Find(m, Tracepoint) is not null;

    /// <summary>Whether the method is a program entry (carries an attribute derived from <c>Ebpf.ProgramAttribute</c>).</summary>
    public static bool IsProgram(IMethodSymbol m, INamedTypeSymbol? programAttribute)
        => programAttribute is not null && m.GetAttributes().Any(a =>
        {
            for (var t = a.AttributeClass; t != null; t = t.BaseType)
                if (SymbolEqualityComparer.Default.Equals(t, programAttribute)) return true;
            return false;
        });
}

/// <summary>The packet pointers a context exposes.</summary>
public enum PacketField { None, Data, DataEnd }
