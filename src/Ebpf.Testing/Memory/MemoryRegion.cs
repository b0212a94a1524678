namespace Ebpf.Testing.Memory;

/// <summary>What a region of the interpreter's address space holds: the memory kinds the kernel verifier tells apart.</summary>
public enum RegionKind
{
    /// <summary>The 512-byte stack of one call frame (R10 points at its end).</summary>
    Stack,
    /// <summary>The program's context (<c>struct xdp_md</c>, <c>struct pt_regs</c>, a tracepoint record, an args array).</summary>
    Context,
    /// <summary>Packet bytes between <c>data</c> and <c>data_end</c>.</summary>
    Packet,
    /// <summary>A map value returned by <c>bpf_map_lookup_elem</c>.</summary>
    MapValue,
    /// <summary>A ring-buffer record returned by <c>bpf_ringbuf_reserve</c>, until submitted or discarded.</summary>
    RingBufferRecord,
    /// <summary>A writable global data section (<c>.data</c>, <c>.bss</c>).</summary>
    GlobalData,
    /// <summary>Read-only memory (<c>.rodata</c>): writes fault.</summary>
    ReadOnly,
    /// <summary>A map's address as loaded by <c>ld_imm64</c> of a map: passed to helpers, never dereferenced.</summary>
    MapHandle,
    /// <summary>Memory a test hands to a raw program (the conformance suite's <c>-- mem</c> buffer).</summary>
    Buffer,
    /// <summary>A BPF function's address as loaded by <c>ld_imm64</c> of a callback (<c>BPF_PSEUDO_FUNC</c>): passed to
    /// helpers that call back (<c>bpf_loop</c>, <c>bpf_for_each_map_elem</c>...), never dereferenced.</summary>
    Function,
    /// <summary>A copy of a map key handed to a callback (<c>bpf_for_each_map_elem</c>): read-only.</summary>
    MapKey,
}

/// <summary>One mapped range of the interpreter's address space: <see cref="Length"/> bytes of <see cref="Bytes"/> from
/// <see cref="Offset"/>, at address <see cref="Address"/>.</summary>
public sealed class MemoryRegion
{
    internal MemoryRegion(string name, RegionKind kind, ulong address, byte[] bytes, int offset, int length, bool writable)
    {
        Name = name;
        Kind = kind;
        Address = address;
        Bytes = bytes;
        Offset = offset;
        Length = length;
        Writable = writable;
    }

    /// <summary>What the region is, for fault messages (<c>stack of frame 0</c>, <c>value of map 'Counts'</c>).</summary>
    public string Name { get; }
    public RegionKind Kind { get; }
    public ulong Address { get; }
    public ulong End => Address + (ulong)Length;
    public int Length { get; }
    public bool Writable { get; }
    internal byte[] Bytes { get; }
    internal int Offset { get; }
    /// <summary>Context fields that read as pointers (<c>xdp_md.data</c>): the kernel rewrites these 32-bit loads into
    /// 64-bit pointer loads, and so does the interpreter. Keyed by offset in the region.</summary>
    internal IReadOnlyDictionary<int, Func<ulong>>? PointerFields { get; init; }

    public Span<byte> Span => Bytes.AsSpan(Offset, Length);
    public bool Contains(ulong address, int size) => address >= Address && address - Address <= (ulong)(Length - size) && size <= Length;

    public override string ToString() => $"{Name} [0x{Address:x}, 0x{End:x})";
}
