using System.Buffers.Binary;

namespace Ebpf.Btf.Wire;

// struct btf_header (include/uapi/linux/btf.h), 24 bytes, little-endian:
//
//   0        2        3        4            8           12          16          20          24
//   +--------+--------+--------+------------+-----------+-----------+-----------+-----------+
//   | magic  |version | flags  |  hdr_len   | type_off  | type_len  |  str_off  |  str_len  |
//   | 0xEB9F |   1    |   0    |    24      |  (after the header)   |  (after the header)   |
//   +--------+--------+--------+------------+-----------+-----------+-----------+-----------+

/// <summary>The <c>.BTF</c> header: where the type and string areas are, relative to the end of the header.</summary>
internal readonly record struct BtfHeader(uint HeaderLength, uint TypeOffset, uint TypeLength, uint StringOffset, uint StringLength)
{
    public const ushort Magic = 0xEB9F;
    public const byte Version = 1;
    public const int Size = 24;

    /// <summary>Absolute start of the type area.</summary>
    public int TypeStart => checked((int)(HeaderLength + TypeOffset));
    /// <summary>Absolute start of the string area.</summary>
    public int StringStart => checked((int)(HeaderLength + StringOffset));

    public static BtfHeader Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8)
            throw new BtfFormatException($"invalid BTF: {bytes.Length} bytes is too short for the {Size}-byte header");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        if (magic == 0x9FEB) throw new BtfFormatException("invalid BTF: big-endian BTF is not supported");
        if (magic != Magic) throw new BtfFormatException($"invalid BTF: bad magic 0x{magic:x4} (expected 0xeb9f)");
        if (bytes[2] != Version) throw new BtfFormatException($"invalid BTF: unsupported version {bytes[2]} (expected 1)");
        if (bytes[3] != 0) throw new BtfFormatException($"invalid BTF: unsupported header flags 0x{bytes[3]:x2}");
        uint hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (hdrLen < Size) throw new BtfFormatException($"invalid BTF: header length {hdrLen} is shorter than {Size}");
        if (hdrLen > bytes.Length) throw new BtfFormatException($"invalid BTF: header length {hdrLen} exceeds the {bytes.Length}-byte blob");
        var h = new BtfHeader(hdrLen,
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]), BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]));
        long available = bytes.Length - (long)hdrLen;
        if (h.TypeOffset % 4 != 0) throw new BtfFormatException($"invalid BTF: type section offset {h.TypeOffset} is not 4-byte aligned");
        if ((long)h.TypeOffset + h.TypeLength > available)
            throw new BtfFormatException($"invalid BTF: type section [{h.TypeOffset}, +{h.TypeLength}) runs past the end of the {bytes.Length}-byte blob (truncated?)");
        if ((long)h.StringOffset + h.StringLength > available)
            throw new BtfFormatException($"invalid BTF: string section [{h.StringOffset}, +{h.StringLength}) runs past the end of the {bytes.Length}-byte blob (truncated?)");
        if (h.TypeOffset < (long)h.StringOffset + h.StringLength && h.StringOffset < (long)h.TypeOffset + h.TypeLength)
            throw new BtfFormatException("invalid BTF: type and string sections overlap");
        return h;
    }

    public void Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dest, Magic);
        dest[2] = Version;
        dest[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], TypeOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], TypeLength);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[16..], StringOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[20..], StringLength);
    }
}
