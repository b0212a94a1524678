namespace Ebpf;

// Attributes the compiler reads on packet contexts' safe accessors.

/// <summary>Marks <c>bool TryRead&lt;T&gt;(int offset, out T value)</c> of a packet context: the compiler
/// loads <c>data</c> and <c>data_end</c> from the context at these offsets (4-byte loads) and emits the
/// verifier's bounds check <c>if (data + offset + sizeof(T) &gt; data_end) → false</c> before an
/// unaligned-safe load of <c>T</c> from <c>data + offset</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PacketReadAttribute(int dataOffset, int dataEndOffset) : Attribute
{
    /// <summary>Offset of the context's <c>data</c> field.</summary>
    public int DataOffset { get; } = dataOffset;
    /// <summary>Offset of the context's <c>data_end</c> field.</summary>
    public int DataEndOffset { get; } = dataEndOffset;
    /// <summary>For program types without direct packet access (socket filters), the helper that copies
    /// packet bytes instead: <c>bpf_skb_load_bytes(ctx, offset, &amp;value, sizeof(T)) == 0</c> (id 26); -1: none.</summary>
    public int LoadBytesHelper { get; init; } = -1;
}

/// <summary>Marks <c>bool TryWrite&lt;T&gt;(int offset, in T value)</c> of a packet context: the same
/// bounds check as <see cref="PacketReadAttribute"/>, then a store of <c>T</c> at <c>data + offset</c>.</summary>
/// <remarks>Only program types with writable packets (XDP, tc) accept the store; for others the verifier
/// refuses it and the compiler should report that at the call.</remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PacketWriteAttribute(int dataOffset, int dataEndOffset) : Attribute
{
    /// <summary>Offset of the context's <c>data</c> field.</summary>
    public int DataOffset { get; } = dataOffset;
    /// <summary>Offset of the context's <c>data_end</c> field.</summary>
    public int DataEndOffset { get; } = dataEndOffset;
}
