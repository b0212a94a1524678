using Ebpf.Object;
using Ebpf.TestSupport;

namespace Ebpf.Asm.Tests;

public class EncodingTests
{
    static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [MemberData(nameof(EncodingTable.Data), MemberType = typeof(EncodingTable))]
    public void Encodes_to_the_expected_bytes(EncodingCase c)
    {
        var bytes = new byte[16];
        int n = c.Instruction.Encode(bytes);
        Assert.Equal(c.Hex, Convert.ToHexString(bytes, 0, n).ToLowerInvariant().Chunk(2).Select(p => new string(p)).Aggregate((a, b) => a + " " + b));
        Assert.Equal(n, c.Instruction.Slots * 8);
    }

    [Theory]
    [MemberData(nameof(EncodingTable.Data), MemberType = typeof(EncodingTable))]
    public void Decodes_the_bytes_back(EncodingCase c)
    {
        var insn = Instruction.Decode(Bytes(c.Hex), out int read);
        Assert.Equal(c.Instruction, insn);
        Assert.Equal(Bytes(c.Hex).Length, read);
    }

    [Theory]
    [MemberData(nameof(EncodingTable.Data), MemberType = typeof(EncodingTable))]
    public void Formats_as_text(EncodingCase c) => Assert.Equal(c.Text.Replace("\\t", "\t"), InstructionFormatter.Format(c.Instruction));

    /// <summary>Puts the whole table into one program of an ELF object and reads llvm-objdump's disassembly
    /// back: every line must be the table's LLVM 14 text.</summary>
    [Fact]
    public void Llvm_objdump_prints_the_table_text()
    {
        // Local calls need a callee in .text and a relocation: the writer resolves them against 'callee'.
        var insns = EncodingTable.Cases.Select(c => c.Instruction).Append(Insn.Exit()).ToList();
        var relocations = insns.Select((insn, i) => (insn, i)).Where(x => x.insn.IsLocalCall)
            .Select(x => new Relocation(x.i, RelocationKind.Call, "callee")).ToList();
        var spec = new ObjectSpec { License = "GPL" };
        spec.Programs.Add(new ProgramSpec { Name = "table", SectionName = "socket", Instructions = insns, Relocations = relocations });
        spec.Programs.Add(new ProgramSpec { Name = "callee", SectionName = ".text", Instructions = new[] { Insn.Mov64(Register.R0, 0), Insn.Exit() } });
        var dir = Directory.CreateTempSubdirectory("ebpf-asm-tests-").FullName;
        var obj = Path.Combine(dir, "table.o");
        File.WriteAllBytes(obj, ElfObjectWriter.Write(spec));

        var r = ExternalTool.Run(ExternalTool.Require("llvm-objdump"), "-d", "--no-show-raw-insn", obj);
        Assert.True(r.ExitCode == 0, r.Combined);
        var lines = r.StdOut.Split('\n');
        int start = Array.FindIndex(lines, l => l.EndsWith("<table>:"));
        Assert.True(start >= 0, r.StdOut);
        var printed = lines.Skip(start + 1).TakeWhile(l => l.Length > 0)
            .Select(l => l[(l.IndexOf(":\t", StringComparison.Ordinal) + 2)..])
            .Select(StripBranchTarget).ToList();
        Assert.Equal(insns.Count, printed.Count);
        var mismatches = EncodingTable.Cases.Select((c, i) => (c, i))
            .Where(x => printed[x.i] != x.c.ExpectedLlvm14.Replace("\\t", "\t"))
            .Select(x => $"{x.c.Hex}: table says '{x.c.ExpectedLlvm14}', llvm-objdump printed '{printed[x.i]}'").ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    /// <summary>llvm-objdump appends the branch target as <c>&lt;table+0x40&gt;</c>.</summary>
    static string StripBranchTarget(string text)
    {
        int i = text.LastIndexOf(" <table+", StringComparison.Ordinal);
        return i > 0 && text.EndsWith('>') ? text[..i] : text;
    }

    [Fact]
    public void Decoding_truncated_input_says_what_is_missing()
    {
        Assert.Equal("truncated instruction: fewer than 8 bytes left",
            Assert.Throws<FormatException>(() => Instruction.Decode(new byte[7], out _)).Message);
        Assert.Equal("truncated ld_imm64: second slot missing",
            Assert.Throws<FormatException>(() => Instruction.Decode(Bytes("18 01 00 00 05 00 00 00"), out _)).Message);
        Assert.Equal("instruction bytes (12) are not a multiple of 8",
            Assert.Throws<FormatException>(() => InstructionCodec.Decode(new byte[12])).Message);
    }

    [Fact]
    public void Sequences_encode_and_decode_slot_by_slot()
    {
        var insns = EncodingTable.Cases.Select(c => c.Instruction).ToList();
        var bytes = InstructionCodec.Encode(insns);
        Assert.Equal(InstructionCodec.SlotCount(insns) * 8, bytes.Length);
        Assert.Equal(string.Join("", EncodingTable.Cases.Select(c => c.Hex.Replace(" ", ""))), Convert.ToHexString(bytes).ToLowerInvariant());
        Assert.Equal(insns, InstructionCodec.Decode(bytes));
    }
}
