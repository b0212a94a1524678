namespace Ebpf.Abi;

/// <summary>What a helper argument or result is, as its C prototype in the UAPI header declares it.</summary>
public enum HelperValueKind
{
    /// <summary>No value (a <c>void</c> result).</summary>
    Void,
    /// <summary>An integer (u64, u32, int, long, __be32, __wsum, ...).</summary>
    Integer,
    /// <summary>A pointer to memory (stack, map value, packet, kernel memory).</summary>
    Pointer,
    /// <summary>A map (<c>struct bpf_map *</c>): the ld_imm64 of a map.</summary>
    Map,
    /// <summary>The program's context (<c>void *ctx</c>, <c>struct __sk_buff *</c>, <c>struct xdp_md *</c>, ...).</summary>
    Context,
    /// <summary>A callback subprogram (<c>void *callback_fn</c>): ld_imm64 with BPF_PSEUDO_FUNC.</summary>
    Callback,
}
