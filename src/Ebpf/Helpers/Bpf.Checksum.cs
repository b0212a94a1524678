using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>Flags of <c>bpf_l3_csum_replace</c>/<c>bpf_l4_csum_replace</c> and <c>bpf_skb_store_bytes</c>.</summary>
public static class ChecksumFlags
{
    /// <summary>BPF_F_RECOMPUTE_CSUM (store_bytes): update skb->csum for CHECKSUM_COMPLETE.</summary>
    public const ulong RecomputeCsum = 1;
    /// <summary>BPF_F_INVALIDATE_HASH (store_bytes): clear skb->hash.</summary>
    public const ulong InvalidateHash = 2;
    /// <summary>BPF_F_HDR_FIELD_MASK: the low bits give the size of the changed field (2 or 4; 0 = a csum_diff result).</summary>
    public const ulong HeaderFieldMask = 0xF;
    /// <summary>BPF_F_PSEUDO_HDR (l4): the changed field is part of the pseudo header (an IP address).</summary>
    public const ulong PseudoHeader = 1 << 4;
    /// <summary>BPF_F_MARK_MANGLED_0 (l4): a zero checksum means "none" (UDP): leave it, and write 0xffff for a zero result.</summary>
    public const ulong MarkMangled0 = 1 << 5;
    /// <summary>BPF_F_MARK_ENFORCE (l4): with MarkMangled0, update even a zero checksum.</summary>
    public const ulong MarkEnforce = 1 << 6;
}

// Internet checksums (RFC 1071/1624), as the kernel's csum_* helpers compute them.
public static unsafe partial class Bpf
{
    /// <summary>The one's-complement sum of <paramref name="to"/> minus <paramref name="from"/> plus <paramref name="seed"/>
    /// (32-bit, not folded): feed it to <c>l3/l4_csum_replace</c> with size 0, or fold it. Sizes are multiples of 4.</summary>
    /// <remarks><c>bpf_csum_diff(from, from_size, to, to_size, seed)</c>, kernel 4.6. The unfolded value is
    /// architecture-dependent; its folded 16-bit value is not. -EINVAL for sizes not a multiple of 4 or over 512 in total.</remarks>
    [BpfHelper(28)]
    public static long CsumDiff(uint* from, uint fromSize, uint* to, uint toSize, uint seed) =>
        CsumDiff(new ReadOnlySpan<byte>(from, checked((int)fromSize)), new ReadOnlySpan<byte>(to, checked((int)toSize)), seed);

    /// <summary>The one's-complement sum of <paramref name="to"/> minus <paramref name="from"/> plus <paramref name="seed"/>.</summary>
    /// <remarks><c>bpf_csum_diff(from, from.Length, to, to.Length, seed)</c>.</remarks>
    [BpfHelper(28)]
    public static long CsumDiff(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, uint seed)
    {
        if (from.Length % 4 != 0 || to.Length % 4 != 0 || from.Length + to.Length > 512) return -Errno.EINVAL;
        uint sum = seed;
        foreach (uint word in MemoryMarshal.Cast<byte, uint>(from)) sum = InternetChecksum.Add(sum, ~word);
        foreach (uint word in MemoryMarshal.Cast<byte, uint>(to)) sum = InternetChecksum.Add(sum, word);
        return sum;
    }

    /// <summary>Updates the IP header checksum at <paramref name="offset"/> for a field that changed from
    /// <paramref name="from"/> to <paramref name="to"/> (values as loaded from the packet); the field size is in the
    /// low bits of <paramref name="flags"/> (2, 4, or 0 when <paramref name="to"/> is a <c>csum_diff</c> result).</summary>
    /// <remarks><c>bpf_l3_csum_replace(skb, offset, from, to, flags)</c>, kernel 4.1. Returns 0, -EINVAL for bad
    /// flags, -EFAULT when the checksum is outside the packet. Invalidates packet pointers.</remarks>
    [BpfHelper(10)]
    public static long L3CsumReplace(SkBuffContext skb, uint offset, ulong from, ulong to, ulong flags)
    {
        if ((flags & ~ChecksumFlags.HeaderFieldMask) != 0) return -Errno.EINVAL;
        var bytes = skb.Packet.Buffer.Bytes;
        if (offset > 0xFFFF || offset + 2 > bytes.Length) return -Errno.EFAULT;
        var field = bytes.Slice((int)offset, 2);
        ushort sum = BinaryPrimitives.ReadUInt16LittleEndian(field);
        long result = InternetChecksum.Replace(sum, from, to, flags & ChecksumFlags.HeaderFieldMask, out ushort updated);
        if (result == 0) BinaryPrimitives.WriteUInt16LittleEndian(field, updated);
        return result;
    }

    /// <summary>Updates the TCP/UDP checksum at <paramref name="offset"/> for a field that changed from
    /// <paramref name="from"/> to <paramref name="to"/>; size in the low bits of <paramref name="flags"/>, plus
    /// <see cref="ChecksumFlags.PseudoHeader"/>, <see cref="ChecksumFlags.MarkMangled0"/>.</summary>
    /// <remarks><c>bpf_l4_csum_replace(skb, offset, from, to, flags)</c>, kernel 4.1. Returns 0, -EINVAL, or -EFAULT.</remarks>
    [BpfHelper(11)]
    public static long L4CsumReplace(SkBuffContext skb, uint offset, ulong from, ulong to, ulong flags)
    {
        const ulong known = ChecksumFlags.MarkMangled0 | ChecksumFlags.MarkEnforce | ChecksumFlags.PseudoHeader | ChecksumFlags.HeaderFieldMask;
        if ((flags & ~known) != 0) return -Errno.EINVAL;
        var bytes = skb.Packet.Buffer.Bytes;
        if (offset > 0xFFFF || offset + 2 > bytes.Length) return -Errno.EFAULT;
        var field = bytes.Slice((int)offset, 2);
        ushort sum = BinaryPrimitives.ReadUInt16LittleEndian(field);
        bool mangledZero = (flags & ChecksumFlags.MarkMangled0) != 0;
        if (mangledZero && (flags & ChecksumFlags.MarkEnforce) == 0 && sum == 0) return 0;   // UDP without checksum
        long result = InternetChecksum.Replace(sum, from, to, flags & ChecksumFlags.HeaderFieldMask, out ushort updated);
        if (result != 0) return result;
        if (mangledZero && updated == 0) updated = 0xFFFF;   // CSUM_MANGLED_0
        BinaryPrimitives.WriteUInt16LittleEndian(field, updated);
        return 0;
    }
}

/// <summary>One's-complement arithmetic of the kernel's include/net/checksum.h, on values as they sit in
/// memory (byte order does not matter to a one's-complement sum as long as it is the same throughout).</summary>
public static class InternetChecksum
{
    /// <summary>csum_add: 32-bit one's-complement addition.</summary>
    public static uint Add(uint a, uint b)
    {
        uint sum = a + b;
        return sum + (sum < b ? 1u : 0u);
    }

    static ushort Add16(ushort a, ushort b)
    {
        ushort sum = (ushort)(a + b);
        return (ushort)(sum + (sum < b ? 1 : 0));
    }

    /// <summary>csum_fold: folds a 32-bit sum to the 16-bit checksum (complemented).</summary>
    public static ushort Fold(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The checksum of <paramref name="data"/> as stored in a header (RFC 1071), with the words loaded little-endian.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, uint seed = 0)
    {
        uint sum = seed;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum = Add(sum, BinaryPrimitives.ReadUInt16LittleEndian(data[i..]));
        if (i < data.Length) sum = Add(sum, data[i]);
        return Fold(sum);
    }

    /// <summary>csum_replace2/4/by_diff: the checksum after a field changed (RFC 1624).</summary>
    internal static long Replace(ushort sum, ulong from, ulong to, ulong size, out ushort updated)
    {
        updated = sum;
        switch (size)
        {
            case 0:   // csum_replace_by_diff: to is a csum_diff result
                updated = Fold(Add((uint)to, ~(uint)sum));
                return 0;
            case 2:   // ~csum16_add(csum16_sub(~sum, from), to), in 16-bit arithmetic
                updated = (ushort)~Add16(Add16((ushort)~sum, (ushort)~(ushort)from), (ushort)to);
                return 0;
            case 4:   // csum_fold(csum_add(csum_sub(~csum_unfold(sum), from), to))
                updated = Fold(Add(Add(~(uint)sum, ~(uint)from), (uint)to));
                return 0;
            default:
                return -Errno.EINVAL;
        }
    }
}
