using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Btf.Tests.Core;

/// <summary>Encodes one struct of int members as split BTF on top of a base (what the kernel serves for a module):
/// type ids from the base's count on, string offsets from the base's string length on.</summary>
static class SplitBtf
{
    public static byte[] Encode(BtfSpec baseSpec, BtfStruct s)
    {
        int baseStringLength = BinaryPrimitives.ReadInt32LittleEndian(baseSpec.RawBytes.AsSpan(20));
        var strings = new List<byte>();
        uint Add(string text) { uint at = (uint)(baseStringLength + strings.Count); strings.AddRange(Encoding.UTF8.GetBytes(text)); strings.Add(0); return at; }
        var words = new List<uint> { Add(s.Name!), (4u << 24) | (uint)s.Members.Count, s.Size };
        foreach (var m in s.Members) words.AddRange([Add(m.Name!), (uint)baseSpec.IdOf(m.Type), m.BitOffset]);
        var raw = new byte[24 + words.Count * 4 + strings.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(raw, 0xEB9F);
        raw[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(12), (uint)words.Count * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(16), (uint)words.Count * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(20), (uint)strings.Count);
        for (int i = 0; i < words.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(24 + 4 * i), words[i]);
        strings.ToArray().CopyTo(raw, 24 + words.Count * 4);
        return raw;
    }
}
