using System.Buffers.Binary;

namespace Ebpf.Btf;

/// <summary>Reads <c>.BTF.ext</c> into per-section func_info, line_info and CO-RE records (offsets converted to slots).</summary>
internal static class BtfExtReader
{
    sealed class Builder(string name)
    {
        public string Name { get; } = name;
        public List<BtfFuncInfo> Funcs { get; } = new();
        public List<BtfLineInfo> Lines { get; } = new();
        public List<BtfCoreRelocation> Core { get; } = new();
    }

    public static IReadOnlyList<BtfExtSection> Parse(ReadOnlySpan<byte> bytes, BtfSpec btf)
    {
        if (bytes.Length < 8) throw Error($"{bytes.Length} bytes is too short for the header");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        if (magic != 0xEB9F) throw Error($"bad magic 0x{magic:x4} (expected 0xeb9f)");
        if (bytes[2] != 1) throw Error($"unsupported version {bytes[2]}");
        uint hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (hdrLen < 24) throw Error($"header length {hdrLen} is shorter than 24");
        if (hdrLen > bytes.Length) throw Error($"header length {hdrLen} exceeds the {bytes.Length}-byte blob (truncated?)");

        var sections = new List<Builder>();
        Builder SectionNamed(string name)
        {
            var b = sections.Find(s => s.Name == name);
            if (b == null) sections.Add(b = new Builder(name));
            return b;
        }

        ReadArea(bytes, hdrLen, 8, "func_info", BtfExtWriter.FuncInfoSize, btf, (name, rec) =>
        {
            int off = Slots(rec, "func_info", name);
            uint typeId = U32(rec[4..]);
            if (!btf.TryGetType((int)typeId, out var t) || t is not BtfFunc f)
                throw Error($"func_info in '{name}' refers to type [{typeId}], which is not a FUNC");
            SectionNamed(name).Funcs.Add(new BtfFuncInfo(off, f));
        });
        ReadArea(bytes, hdrLen, 16, "line_info", BtfExtWriter.LineInfoSize, btf, (name, rec) =>
        {
            int off = Slots(rec, "line_info", name);
            string file = String(btf, U32(rec[4..]), "line_info file name", name);
            string text = String(btf, U32(rec[8..]), "line_info source line", name);
            uint lineCol = U32(rec[12..]);
            SectionNamed(name).Lines.Add(new BtfLineInfo(off, file, text, (int)(lineCol >> 10), (int)(lineCol & 0x3ff)));
        });
        if (hdrLen >= 32)
            ReadArea(bytes, hdrLen, 24, "core_relo", BtfExtWriter.CoreReloSize, btf, (name, rec) =>
            {
                int off = Slots(rec, "core_relo", name);
                uint typeId = U32(rec[4..]);
                if (!btf.TryGetType((int)typeId, out var t))
                    throw Error($"CO-RE relocation in '{name}' refers to type [{typeId}], which does not exist");
                string access = String(btf, U32(rec[8..]), "CO-RE access string", name);
                SectionNamed(name).Core.Add(new BtfCoreRelocation(off, t, access, (BtfCoreRelocationKind)U32(rec[12..])));
            });

        return sections.Select(s => new BtfExtSection(s.Name, s.Funcs, s.Lines) { CoreRelocations = s.Core }).ToList();
    }

    delegate void RecordHandler(string section, ReadOnlySpan<byte> record);

    static void ReadArea(ReadOnlySpan<byte> bytes, uint hdrLen, int fieldOffset, string area, int minRecordSize, BtfSpec btf, RecordHandler handle)
    {
        uint off = U32(bytes[fieldOffset..]), len = U32(bytes[(fieldOffset + 4)..]);
        if (len == 0) return;
        if (off % 4 != 0) throw Error($"{area} offset {off} is not 4-byte aligned");
        if ((long)hdrLen + off + len > bytes.Length)
            throw Error($"{area} area [{off}, +{len}) runs past the end of the {bytes.Length}-byte blob (truncated?)");
        var data = bytes.Slice((int)(hdrLen + off), (int)len);
        if (data.Length < 4) throw Error($"{area} area has no record size");
        uint recSize = U32(data);
        if (recSize < minRecordSize || recSize % 4 != 0 || recSize > 1024)
            throw Error($"{area} record size {recSize} is invalid (at least {minRecordSize}, a multiple of 4)");
        int pos = 4;
        while (pos < data.Length)
        {
            if (data.Length - pos < 8) throw Error($"{area} section header at byte {pos} is truncated");
            string name = String(btf, U32(data[pos..]), $"{area} section name", "?");
            uint count = U32(data[(pos + 4)..]);
            pos += 8;
            if (count == 0) throw Error($"{area} of section '{name}' has zero records");
            if ((long)count * recSize > data.Length - pos)
                throw Error($"{area} of section '{name}' claims {count} records of {recSize} bytes, more than the area holds (truncated?)");
            for (int i = 0; i < count; i++, pos += (int)recSize) handle(name, data.Slice(pos, (int)recSize));
        }
    }

    static int Slots(ReadOnlySpan<byte> rec, string area, string section)
    {
        uint bytes = U32(rec);
        if (bytes % 8 != 0) throw Error($"{area} in '{section}' has instruction offset {bytes}, not a multiple of 8 bytes");
        return (int)(bytes / 8);
    }

    static string String(BtfSpec btf, uint offset, string what, string section)
    {
        try { return btf.GetString(offset); }
        catch (BtfFormatException) { throw Error($"{what} in '{section}' has string offset {offset} outside the BTF string section"); }
    }

    static uint U32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32LittleEndian(b);

    static BtfFormatException Error(string message) => new($"invalid .BTF.ext: {message}");
}
