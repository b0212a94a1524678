using System.Buffers.Binary;

namespace Ebpf.Object.Elf;

/// <summary>One Elf64_Rel entry: the byte offset of the patched instruction, the symbol and the R_BPF_* type.
/// There is no addend field: the addend is what the instruction already holds.</summary>
internal sealed record ElfRelocation(ulong Offset, ElfSymbol Symbol, uint Type);

/// <summary>Encodes a <c>.rel&lt;section&gt;</c> body: 16-byte entries, <c>r_info = symbol &lt;&lt; 32 | type</c>.</summary>
internal static class ElfRelocationEncoder
{
    public static byte[] Encode(IReadOnlyList<ElfRelocation> relocations, ElfSymbolTableBuilder symbols)
    {
        var bytes = new byte[relocations.Count * ElfConstants.RelSize];
        for (int i = 0; i < relocations.Count; i++)
        {
            var r = relocations[i];
            var d = bytes.AsSpan(i * ElfConstants.RelSize);
            BinaryPrimitives.WriteUInt64LittleEndian(d, r.Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(d[8..], ((ulong)(uint)symbols.IndexOf(r.Symbol) << 32) | r.Type);
        }
        return bytes;
    }
}
