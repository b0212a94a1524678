namespace Ebpf.Btf.Core;

/// <summary>How a bit-field is read with one load and two shifts (libbpf's BPF_CORE_READ_BITFIELD): the
/// FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_LSHIFT_U64 and FIELD_RSHIFT_U64 values of a bit-field
/// <see cref="BitSize"/> bits wide at <see cref="BitOffset"/> bits, declared with a storage type of
/// <see cref="StorageSize"/> bytes. The load is the storage type's size, aligned to it, doubled until the
/// whole field fits (as libbpf's bpf_core_calc_field_relo chooses it); the value read is shifted left so that
/// the field's top bit is bit 63 (little-endian), then right by <see cref="RightShift"/>.</summary>
public readonly record struct CoreBitfieldLoad(long BitOffset, long BitSize, long StorageSize, long ByteOffset, long ByteSize)
{
    /// <summary>The load for the field, or null when no load of at most 8 bytes holds it.</summary>
    public static CoreBitfieldLoad? Of(long bitOffset, long bitSize, long storageSize)
    {
        long byteSize = storageSize;
        long byteOffset = bitOffset / 8 / byteSize * byteSize;
        while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8)
        {
            if (byteSize >= 8) return null;
            byteSize *= 2;
            byteOffset = bitOffset / 8 / byteSize * byteSize;
        }
        return new CoreBitfieldLoad(bitOffset, bitSize, storageSize, byteOffset, byteSize);
    }

    /// <summary>FIELD_LSHIFT_U64: moves the field's top bit to bit 63 of the loaded value.</summary>
    public long LeftShift => 64 - (BitOffset + BitSize - ByteOffset * 8);

    /// <summary>FIELD_RSHIFT_U64: moves the field down to bit 0 (logically, or arithmetically for a signed field).</summary>
    public long RightShift => 64 - BitSize;
}
