using System.Buffers.Binary;
using System.Text;
using Ebpf.Btf;

namespace Ebpf.Cli.Inspection;

/// <summary>Formats raw map keys, values and ring-buffer records through their BTF type: integers, enums by name,
/// char arrays as strings, structs as <c>{field=value}</c>; bytes as hex when there is no type.</summary>
static class BtfValueFormatter
{
    const int MaxArrayElements = 16;

    public static string Format(BtfType? type, ReadOnlySpan<byte> bytes)
    {
        if (type is null) return Hex(bytes);
        var sb = new StringBuilder();
        Append(sb, type, bytes, depth: 0);
        return sb.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 32 ? Convert.ToHexStringLower(bytes) : Convert.ToHexStringLower(bytes[..32]) + "…";

    static void Append(StringBuilder sb, BtfType type, ReadOnlySpan<byte> bytes, int depth)
    {
        type = BtfLayout.SkipQualifiers(type);
        switch (type)
        {
            case BtfInt i when i.Bits != i.Size * 8 || i.BitOffset != 0:
                sb.Append(ExtractBits(bytes, i.BitOffset, i.Bits, i.IsSigned));
                break;
            case BtfInt { IsBool: true } i:
                sb.Append(ReadUnsigned(bytes, i.Size) != 0 ? "true" : "false");
                break;
            case BtfInt { IsChar: true, Size: 1 }:
                sb.Append(bytes.Length > 0 && bytes[0] is >= 0x20 and < 0x7f ? $"'{(char)bytes[0]}'" : bytes.Length > 0 ? bytes[0].ToString() : "?");
                break;
            case BtfInt i:
                sb.Append(i.IsSigned ? ReadSigned(bytes, i.Size).ToString() : ReadUnsigned(bytes, i.Size).ToString());
                break;
            case BtfEnum e:
            {
                long value = e.IsSigned ? ReadSigned(bytes, (int)e.Size) : (long)ReadUnsigned(bytes, (int)e.Size);
                sb.Append(e.Values.FirstOrDefault(v => v.Value == value)?.Name ?? value.ToString());
                break;
            }
            case BtfPointer:
                sb.Append("0x").Append(ReadUnsigned(bytes, 8).ToString("x"));
                break;
            case BtfFloat f when f.Size == 4 && bytes.Length >= 4:
                sb.Append(BinaryPrimitives.ReadSingleLittleEndian(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case BtfFloat f when f.Size == 8 && bytes.Length >= 8:
                sb.Append(BinaryPrimitives.ReadDoubleLittleEndian(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case BtfArray a when BtfLayout.SkipQualifiers(a.Element) is BtfInt { Size: 1 } element && (element.IsChar || IsText(bytes, (int)a.Count)):
            {
                var text = bytes[..Math.Min(bytes.Length, (int)a.Count)];
                int nul = text.IndexOf((byte)0);
                sb.Append('"').Append(Encoding.UTF8.GetString(nul < 0 ? text : text[..nul])).Append('"');
                break;
            }
            case BtfArray a:
            {
                int size = (int)BtfLayout.SizeOf(a.Element);
                sb.Append('[');
                for (int k = 0; k < a.Count && k < MaxArrayElements && (k + 1) * size <= bytes.Length; k++)
                {
                    if (k > 0) sb.Append(", ");
                    Append(sb, a.Element, bytes.Slice(k * size, size), depth + 1);
                }
                if (a.Count > MaxArrayElements) sb.Append(", …");
                sb.Append(']');
                break;
            }
            case BtfStruct s:
            {
                sb.Append('{');
                bool first = true;
                foreach (var member in s.Members)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    if (member.Name is { Length: > 0 } name) sb.Append(name).Append('=');
                    if (member.BitFieldSize != 0)
                    {
                        sb.Append(ExtractBits(bytes, (int)member.BitOffset, (int)member.BitFieldSize, BtfLayout.SkipQualifiers(member.Type) is BtfInt { IsSigned: true }));
                        continue;
                    }
                    int offset = (int)(member.BitOffset / 8);
                    int size = (int)BtfLayout.SizeOf(member.Type);
                    if (offset + size > bytes.Length || depth > 8) { sb.Append('?'); continue; }
                    Append(sb, member.Type, bytes.Slice(offset, size), depth + 1);
                }
                sb.Append('}');
                break;
            }
            case BtfTypedef t:
                Append(sb, t.Target, bytes, depth);
                break;
            default:
                sb.Append(Hex(bytes));
                break;
        }
    }

    static bool IsText(ReadOnlySpan<byte> bytes, int count)
    {
        var text = bytes[..Math.Min(bytes.Length, count)];
        int nul = text.IndexOf((byte)0);
        if (nul <= 0) return false;
        foreach (var b in text[..nul]) if (b < 0x20 || b >= 0x7f) return false;
        return true;
    }

    static ulong ReadUnsigned(ReadOnlySpan<byte> bytes, int size) => size switch
    {
        1 when bytes.Length >= 1 => bytes[0],
        2 when bytes.Length >= 2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 when bytes.Length >= 4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        8 when bytes.Length >= 8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        _ => 0,
    };

    static long ReadSigned(ReadOnlySpan<byte> bytes, int size) => size switch
    {
        1 when bytes.Length >= 1 => (sbyte)bytes[0],
        2 when bytes.Length >= 2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        4 when bytes.Length >= 4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        8 when bytes.Length >= 8 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        _ => 0,
    };

    static string ExtractBits(ReadOnlySpan<byte> bytes, int bitOffset, int bits, bool signed)
    {
        ulong raw = 0;
        for (int i = 0; i < 8 && i < bytes.Length; i++) raw |= (ulong)bytes[i] << (8 * i);
        ulong value = bits >= 64 ? raw >> bitOffset : (raw >> bitOffset) & ((1UL << bits) - 1);
        if (signed && bits < 64 && (value & (1UL << (bits - 1))) != 0) return ((long)(value | ~((1UL << bits) - 1))).ToString();
        return value.ToString();
    }
}
