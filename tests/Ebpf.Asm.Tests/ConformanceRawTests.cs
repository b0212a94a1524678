using System.Buffers.Binary;
using System.Globalization;
using Ebpf.TestSupport;

namespace Ebpf.Asm.Tests;

/// <summary>The <c>-- raw</c> sections of the bpf_conformance suite (../shared/conformance/tests/*.data):
/// 64-bit little-endian instruction words that must decode and encode back bit for bit.</summary>
public class ConformanceRawTests
{
    /// <summary>Each file's raw words, parsed from its <c>-- raw</c> section (files without one are left out).</summary>
    public static IEnumerable<(string File, ulong[] Words)> RawSections(string dir)
    {
        foreach (var path in Directory.GetFiles(dir, "*.data").OrderBy(p => p, StringComparer.Ordinal))
        {
            string? section = null;
            var words = new List<ulong>();
            foreach (var rawLine in File.ReadLines(path))
            {
                var line = rawLine.Split('#')[0].Trim();
                if (line.StartsWith("-- ", StringComparison.Ordinal)) { section = line[3..].Trim(); continue; }
                if (section != "raw" || line.Length == 0) continue;
                var hex = line.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? line[2..] : line;
                words.Add(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
            if (words.Count > 0) yield return (Path.GetFileName(path), words.ToArray());
        }
    }

    [SkippableFact]
    public void Every_raw_word_round_trips_through_Decode_and_Encode()
    {
        var dir = RepoPaths.ConformanceTests;
        Skip.If(dir == null, "the bpf_conformance suite is not at ../shared/conformance/tests next to the repository (CI has it; a user's clone may not)");
        var sections = RawSections(dir!).ToList();
        Assert.NotEmpty(sections);
        int checkedWords = 0;
        foreach (var (file, words) in sections)
        {
            var bytes = new byte[words.Length * 8];
            for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), words[i]);
            var insns = InstructionCodec.Decode(bytes);
            Assert.True(bytes.AsSpan().SequenceEqual(InstructionCodec.Encode(insns)), $"{file}: re-encoding changed the raw words");
            // And one instruction at a time, as the loader decodes them.
            for (int pos = 0; pos < bytes.Length;)
            {
                var insn = Instruction.Decode(bytes.AsSpan(pos), out int n);
                var again = new byte[n];
                insn.Encode(again);
                Assert.True(bytes.AsSpan(pos, n).SequenceEqual(again), $"{file}: word at byte {pos} ({insn}) does not round-trip");
                pos += n;
            }
            checkedWords += words.Length;
        }
        Assert.True(checkedWords > 0);
    }

    [SkippableFact]
    public void The_lddw_case_decodes_to_the_documented_instruction()
    {
        var dir = RepoPaths.ConformanceTests;
        Skip.If(dir == null, "the bpf_conformance suite is not at ../shared/conformance/tests");
        var lddw = RawSections(dir!).SingleOrDefault(s => s.File == "lddw.data");
        Skip.If(lddw.Words == null, "this snapshot of the suite has no raw section in lddw.data");
        var bytes = new byte[lddw.Words.Length * 8];
        for (int i = 0; i < lddw.Words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), lddw.Words[i]);
        // "lddw %r0, 0x1122334455667788; exit" in the suite's own assembly.
        Assert.Equal(new[] { Insn.LoadImm64(Register.R0, 0x1122334455667788), Insn.Exit() }, InstructionCodec.Decode(bytes));
    }
}
