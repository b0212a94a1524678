using System.Linq;
using Ebpf.Abi;
using Ebpf.Object;
using Ebpf.Rules.Helpers;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Flow;

/// <summary>What the flow analysis needs to know about a call or member of the kernel-side API: a lookup, a
/// reservation, a submit, a packet pointer, a helper's size argument. Attributes are read by <see cref="KernelApi"/>,
/// helper facts come from <see cref="HelperTable"/> and program kinds from <see cref="ProgramAttributeKinds"/>, the
/// tables the compiler reads too.</summary>
public static class ApiCalls
{
    /// <summary>The helper behind a map method (<c>[MapHelper]</c>), from the one helper table.</summary>
    static HelperInfo? MapHelper(IMethodSymbol m) => KernelApi.MapHelperId(m) is int id ? HelperTable.Find(id) : null;

    /// <summary><c>ref T Lookup(key)</c>, <c>ref T Get(task, ...)</c>: a map method whose helper returns a map value or
    /// NULL (bpf_map_lookup_elem, the local-storage gets), by reference: a null ref when absent.</summary>
    public static bool IsLookup(IMethodSymbol m)
        => m.ReturnsByRef && MapHelper(m) is { ResultMayBeNull: true, Reference: HelperReference.None };

    /// <summary><c>ref T Reserve&lt;T&gt;()</c>: a helper that acquires a reference (bpf_ringbuf_reserve; a null ref when
    /// the ring is full).</summary>
    public static bool IsReserve(IMethodSymbol m) => m.ReturnsByRef && MapHelper(m) is { Reference: HelperReference.Acquires };

    /// <summary><c>TInner? Lookup(key)</c> of a map of maps: bpf_map_lookup_elem returning the inner map (null when absent).</summary>
    public static bool IsInnerMapLookup(IMethodSymbol m)
        => !m.ReturnsByRef && m.ReturnType.IsReferenceType && MapHelper(m) is { ResultMayBeNull: true, Reference: HelperReference.None };

    /// <summary>bpf_ringbuf_submit or bpf_ringbuf_discard: releases the record passed first.</summary>
    public static bool IsRelease(IMethodSymbol m) => MapHelper(m) is { Reference: HelperReference.ReleasesFirstArgument };

    /// <summary>Whether the method is part of the kernel API (a helper or a map method the compiler lowers to one).</summary>
    public static bool IsHelper(IMethodSymbol m) => KernelApi.HelperId(m) is not null || KernelApi.MapHelperId(m) is not null;

    /// <summary><c>Unsafe.IsNullRef(ref x)</c>: the only null test a <c>ref</c> has.</summary>
    public static bool IsNullRefTest(IMethodSymbol m)
        => m.Name == "IsNullRef" && m.ContainingType.ToDisplayString() == "System.Runtime.CompilerServices.Unsafe";

    /// <summary><c>Math.Min</c>/<c>Math.Clamp</c>: the result is bounded when one bound is.</summary>
    public static bool IsClamp(IMethodSymbol m)
        => m.Name is "Min" or "Clamp" && m.ContainingType.ToDisplayString() is "System.Math";

    /// <summary>Whether <paramref name="p"/> of a helper is a byte count the verifier must see bounded
    /// (ARG_CONST_SIZE: <c>size</c>, <c>len</c>, <c>length</c> of a helper taking a raw buffer).</summary>
    public static bool IsSizeParameter(IMethodSymbol helper, IParameterSymbol p)
        => KernelApi.HelperId(helper) is not null && p.Name is "size" or "len" or "length" or "sizeBytes"
           && p.Type.SpecialType is SpecialType.System_UInt32 or SpecialType.System_Int32 or SpecialType.System_UInt64 or SpecialType.System_Int64
           && helper.Parameters.Any(q => q.Type is IPointerTypeSymbol);

    /// <summary>The packet field a context property reads: data, data_end, or neither.</summary>
    public static PacketField PacketFieldOf(IPropertySymbol property)
    {
        if (KernelApi.ContextField(property) is not { } field) return PacketField.None;
        foreach (var m in property.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            if ((KernelApi.PacketRead(m) ?? KernelApi.PacketWrite(m)) is not { } packet) continue;
            if (packet.Data == field.Offset) return PacketField.Data;
            if (packet.DataEnd == field.Offset) return PacketField.DataEnd;
        }
        return PacketField.None;
    }

    /// <summary>A context struct (XdpContext, ...): the type of the pointer a program receives in R1.</summary>
    public static bool IsContextType(ITypeSymbol type) => KernelApi.IsContextType(type);

    /// <summary>Whether the method is a <c>[Tracepoint]</c> program (its context is the event record).</summary>
    public static bool IsTracepointProgram(IMethodSymbol m) => ProgramAttributeKinds.OfMethod(m) is { Type: ProgramType.Tracepoint };

    /// <summary>Whether the method is a program entry (carries one of the API's program attributes).</summary>
    public static bool IsProgram(IMethodSymbol m) => ProgramAttributeKinds.OfMethod(m) is not null;
}

/// <summary>The packet pointers a context exposes.</summary>
public enum PacketField { None, Data, DataEnd }
