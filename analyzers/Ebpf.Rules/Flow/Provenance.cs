using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace Ebpf.Rules.Flow;

/// <summary>Where a value comes from, as the kernel verifier tracks it (its register types).</summary>
public enum ProvenanceKind
{
    /// <summary>Nothing known (also: a value the rules never need to follow).</summary>
    Unknown,
    /// <summary>A number (SCALAR_VALUE), with what is known of its range.</summary>
    Scalar,
    /// <summary>The program's context pointer (PTR_TO_CTX).</summary>
    Context,
    /// <summary>A tracepoint's event record passed as the context (PTR_TO_CTX of a tracepoint program).</summary>
    TracepointContext,
    /// <summary>A pointer into the packet (PTR_TO_PACKET), with the range proven readable.</summary>
    Packet,
    /// <summary>The end of the packet (PTR_TO_PACKET_END).</summary>
    PacketEnd,
    /// <summary>A lookup result not yet tested (PTR_TO_MAP_VALUE_OR_NULL).</summary>
    MapValueOrNull,
    /// <summary>A tested lookup result (PTR_TO_MAP_VALUE).</summary>
    MapValue,
    /// <summary>A ring-buffer reservation not yet tested (PTR_TO_MEM_OR_NULL | MEM_RINGBUF, a reference).</summary>
    RecordOrNull,
    /// <summary>A tested ring-buffer reservation: must reach bpf_ringbuf_submit or bpf_ringbuf_discard.</summary>
    Record,
    /// <summary>A null reference (the branch where <c>Unsafe.IsNullRef</c> was true).</summary>
    Null,
    /// <summary>A kernel or user address held as a number (only helpers may read through it).</summary>
    Kernel,
    /// <summary>A pointer to the stack (PTR_TO_STACK).</summary>
    Stack,
    /// <summary>An inner map a map of maps' lookup returned, not yet tested (CONST_PTR_TO_MAP | PTR_MAYBE_NULL).</summary>
    InnerMapOrNull,
    /// <summary>A tested inner map (CONST_PTR_TO_MAP): the map argument of the inner map's methods.</summary>
    InnerMap,
}

/// <summary>An abstract value of the flow analysis: a point of the provenance lattice plus the facts a
/// kind carries (a scalar's bound, a packet pointer's offset and checked range, a record's identity).</summary>
/// <param name="Root">The local or parameter the value was read from: a check of the value refines it.</param>
/// <param name="Offset">Packet pointer: constant offset from <c>data</c>, or null when variable.</param>
/// <param name="Delta">Packet pointer: constant bytes added to <paramref name="Root"/>'s pointer.</param>
/// <param name="Checked">Packet pointer read from a local: bytes past the local's pointer proven readable.</param>
/// <param name="Record">Ring-buffer record: the reservation (its syntax position) this value is.</param>
/// <param name="Length">Scalar: a difference of packet pointers (a length the verifier learns nothing from).</param>
public sealed record Provenance(
    ProvenanceKind Kind,
    bool Bounded = false,
    bool NonZero = false,
    ISymbol? Root = null,
    int? Offset = null,
    int Delta = 0,
    int Checked = 0,
    int Record = -1,
    bool Length = false)
{
    public static readonly Provenance Unknown = new(ProvenanceKind.Unknown);
    public static readonly Provenance AnyScalar = new(ProvenanceKind.Scalar);

    public static Provenance Constant(object? value) => new(ProvenanceKind.Scalar, Bounded: true, NonZero: !IsZero(value));

    static bool IsZero(object? value) => value switch
    {
        null => true,
        bool b => !b,
        string => false,
        float f => f == 0,
        double d => d == 0,
        _ when NumericConstant.Of(value) is { } n => n == 0m,
        _ => false,
    };

    public bool IsPointerOrNull => Kind is ProvenanceKind.MapValueOrNull or ProvenanceKind.RecordOrNull or ProvenanceKind.InnerMapOrNull;

    /// <summary>The value with <see cref="Root"/> set to the local it was read from.</summary>
    public Provenance From(ISymbol root) => this with { Root = root, Delta = 0 };

    /// <summary>The least upper bound: the value on a join of paths.</summary>
    public static Provenance Join(Provenance a, Provenance b)
    {
        if (a == b) return a;
        var root = SymbolEqualityComparer.Default.Equals(a.Root, b.Root) ? a.Root : null;
        switch (a.Kind, b.Kind)
        {
            case (ProvenanceKind.Scalar, ProvenanceKind.Scalar):
                return new(ProvenanceKind.Scalar, a.Bounded && b.Bounded, a.NonZero && b.NonZero, root, Length: a.Length || b.Length);
            case (ProvenanceKind.Packet, ProvenanceKind.Packet):
                return new(ProvenanceKind.Packet, Root: root, Offset: a.Offset == b.Offset ? a.Offset : null,
                    Delta: a.Delta == b.Delta ? a.Delta : 0, Checked: root is null ? 0 : Math.Min(a.Checked, b.Checked));
            case var (x, y) when x == y && a.Record == b.Record:
                return a with { Root = root };
            case (ProvenanceKind.MapValueOrNull or ProvenanceKind.MapValue or ProvenanceKind.Null, ProvenanceKind.MapValueOrNull or ProvenanceKind.MapValue or ProvenanceKind.Null)
                when a.Kind != ProvenanceKind.Null || b.Kind != ProvenanceKind.Null:
                return new(ProvenanceKind.MapValueOrNull, Root: root);
            case (ProvenanceKind.InnerMapOrNull or ProvenanceKind.InnerMap or ProvenanceKind.Null, ProvenanceKind.InnerMapOrNull or ProvenanceKind.InnerMap or ProvenanceKind.Null)
                when a.Kind != ProvenanceKind.Null || b.Kind != ProvenanceKind.Null:
                return new(ProvenanceKind.InnerMapOrNull, Root: root);
            case (ProvenanceKind.RecordOrNull or ProvenanceKind.Record or ProvenanceKind.Null, ProvenanceKind.RecordOrNull or ProvenanceKind.Record or ProvenanceKind.Null):
                return new(ProvenanceKind.RecordOrNull, Root: root, Record: Math.Max(a.Record, b.Record));
            default:
                return Unknown;
        }
    }
}

/// <summary>The facts that hold at one program point: the value of each local, the bytes of the packet
/// proven readable from <c>data</c>, and the ring-buffer records reserved and not yet released.</summary>
public sealed class FlowState : IEquatable<FlowState>
{
    public static readonly FlowState Entry = new(
        ImmutableDictionary.Create<ISymbol, Provenance>(SymbolEqualityComparer.Default),
        ImmutableDictionary<CaptureId, Provenance>.Empty, 0, ImmutableDictionary<int, SyntaxNode>.Empty);

    public FlowState(ImmutableDictionary<ISymbol, Provenance> locals, ImmutableDictionary<CaptureId, Provenance> captures,
        int packetRange, ImmutableDictionary<int, SyntaxNode> openRecords)
    {
        Locals = locals;
        Captures = captures;
        PacketRange = packetRange;
        OpenRecords = openRecords;
    }

    public ImmutableDictionary<ISymbol, Provenance> Locals { get; }
    public ImmutableDictionary<CaptureId, Provenance> Captures { get; }
    /// <summary>Bytes from <c>data</c> proven readable (<c>data + PacketRange &lt;= data_end</c>).</summary>
    public int PacketRange { get; }
    /// <summary>Reservations not released on this path, by id, with the reserving call.</summary>
    public ImmutableDictionary<int, SyntaxNode> OpenRecords { get; }

    public Provenance this[ISymbol symbol] => Locals.TryGetValue(symbol, out var v) ? v : Provenance.Unknown;

    public FlowState With(ISymbol symbol, Provenance value) => new(Locals.SetItem(symbol, value), Captures, PacketRange, OpenRecords);
    public FlowState With(CaptureId id, Provenance value) => new(Locals, Captures.SetItem(id, value), PacketRange, OpenRecords);
    public FlowState WithPacketRange(int range) => new(Locals, Captures, range, OpenRecords);
    public FlowState Open(int record, SyntaxNode at) => new(Locals, Captures, PacketRange, OpenRecords.SetItem(record, at));
    public FlowState Close(int record) => new(Locals, Captures, PacketRange, OpenRecords.Remove(record));

    public static FlowState Join(FlowState a, FlowState b)
    {
        var locals = a.Locals;
        foreach (var pair in b.Locals)
            locals = locals.SetItem(pair.Key, a.Locals.TryGetValue(pair.Key, out var v) ? Provenance.Join(v, pair.Value) : pair.Value);
        var captures = a.Captures;
        foreach (var pair in b.Captures)
            captures = captures.SetItem(pair.Key, a.Captures.TryGetValue(pair.Key, out var v) ? Provenance.Join(v, pair.Value) : pair.Value);
        return new(locals, captures, Math.Min(a.PacketRange, b.PacketRange), a.OpenRecords.SetItems(b.OpenRecords));
    }

    public bool Equals(FlowState? other)
        => other is not null && PacketRange == other.PacketRange
           && Same(Locals, other.Locals) && Same(Captures, other.Captures)
           && OpenRecords.Count == other.OpenRecords.Count && OpenRecords.Keys.All(other.OpenRecords.ContainsKey);

    static bool Same<TKey>(ImmutableDictionary<TKey, Provenance> a, ImmutableDictionary<TKey, Provenance> b) where TKey : notnull
        => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    public override bool Equals(object? obj) => Equals(obj as FlowState);
    public override int GetHashCode() => PacketRange ^ Locals.Count ^ (OpenRecords.Count << 8);
}
