using System.Buffers.Binary;
using Ebpf.Asm;
using Ebpf.Object.Tests.Support;
using Ebpf.TestSupport;

namespace Ebpf.Object.Tests.Elf;

public class ElfObjectWriterTests
{
    static readonly Lazy<byte[]> Sample = new(() => ElfObjectWriter.Write(SampleObjects.XdpAndTracepoint()));

    [Fact]
    public void Header_is_ELF64_little_endian_relocatable_BPF()
    {
        var f = Sample.Value;
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 }, f[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(16)));     // ET_REL
        Assert.Equal(247, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(18)));   // EM_BPF
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(48)));    // e_flags
        Assert.Equal(64, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(52)));    // e_ehsize
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(56)));     // e_phnum
    }

    /// <summary>Sections, symbols and relocations as llvm-readelf sees them (golden file).</summary>
    [Fact]
    public void Layout_as_llvm_readelf_prints_it()
    {
        var path = Tools.WriteTemp(Sample.Value, "sample.o");
        var text = Tools.MustRun("llvm-readelf", "--section-headers", "--symbols", "--relocations", path);
        text = string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("File:")));
        Snapshot.Match("sample-readelf", text);
    }

    [Fact]
    public void Llvm_objdump_disassembles_every_instruction_with_its_relocation()
    {
        var path = Tools.WriteTemp(Sample.Value, "sample.o");
        var r = Tools.Run("llvm-objdump", "-d", "-r", path);
        Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, r.Combined);
        Assert.DoesNotContain("<unknown>", r.StdOut);
        Assert.Contains("R_BPF_64_64\tcounts", r.StdOut);
        Assert.Contains("R_BPF_64_64\t.rodata", r.StdOut);
        Assert.Contains("R_BPF_64_32\tadd_one", r.StdOut);
        Assert.Contains("<add_one>:", r.StdOut);
        Assert.Contains("<xdp_count>:", r.StdOut);
        Assert.Contains("<on_getpid>:", r.StdOut);
        // Our formatter and llvm-objdump agree on every instruction of the object.
        var spec = SampleObjects.XdpAndTracepoint();
        foreach (var insn in spec.Programs.SelectMany(p => p.Instructions))
            Assert.Contains("\t" + InstructionFormatter.Format(insn), r.StdOut);
    }

    [Fact]
    public void Bpftool_reads_the_BTF_with_the_functions_and_the_map_types()
    {
        var path = Tools.WriteTemp(Sample.Value, "sample.o");
        var dump = Tools.MustRun("bpftool", "btf", "dump", "file", path);
        Assert.Contains("FUNC 'xdp_count' type_id=", dump);
        Assert.Contains("FUNC 'on_getpid' type_id=", dump);
        Assert.Contains("FUNC 'add_one' type_id=", dump);
        Assert.Contains("linkage=static", dump);
        Assert.Contains("'key' type_id=", dump);
        Assert.Contains("TYPEDEF '__u32'", dump);
        Assert.Contains("TYPEDEF '__u64'", dump);
        Assert.Contains("DATASEC '.maps' size=32 vlen=1", dump);
        Assert.Contains("(VAR 'counts')", dump);
        // Follow bpftool's ids: the map definition's key points to __u32, value to __u64, max_entries to an array of 16.
        Assert.Equal("TYPEDEF '__u32'", Follow(dump, "key", 2));
        Assert.Equal("TYPEDEF '__u64'", Follow(dump, "value", 2));
        Assert.Equal("ARRAY '(anon)'", Follow(dump, "max_entries", 2));
        Assert.EndsWith("nr_elems=16", Follow(dump, "max_entries", 2, full: true));
    }

    /// <summary>From member <paramref name="member"/> follow <paramref name="hops"/> type ids in a bpftool raw dump.</summary>
    static string Follow(string dump, string member, int hops, bool full = false)
    {
        var lines = dump.Split('\n');
        string Line(string id) => lines.Single(l => l.StartsWith($"[{id}] "));
        string IdIn(string line) => System.Text.RegularExpressions.Regex.Match(line, @"type_id=(\d+)").Groups[1].Value;
        string current = lines.Single(l => l.StartsWith($"\t'{member}' "));
        for (int i = 0; i < hops; i++) current = Line(IdIn(current));
        var text = current[(current.IndexOf(' ') + 1)..];
        return full ? text : string.Join(' ', text.Split(' ').Take(2));
    }

    [Fact]
    public void Sub_programs_go_to_text_and_offsets_convert_to_section_relative_bytes()
    {
        var spec = SampleObjects.XdpAndTracepoint();
        // A second sub-program after add_one: its func/line info must be at its section offset (3 slots = 24 bytes).
        var twice = new ProgramSpec
        {
            Name = "twice",
            SectionName = ".text",
            Instructions = new[] { Insn.Mov64(Register.R0, Register.R1), Insn.Alu64(AluOp.Lsh, Register.R0, 1), Insn.Exit() },
            FuncInfos = new[] { new Btf.BtfFuncInfo(0, spec.Programs[2].FuncInfos[0].Func) },
            LineInfos = new[] { new Btf.BtfLineInfo(0, SampleObjects.File, "int Twice(int x)", 39, 5), new Btf.BtfLineInfo(1, SampleObjects.File, "x << 1", 40, 3) },
        };
        spec.Programs.Add(twice);
        var read = ElfObjectReader.Read(ElfObjectWriter.Write(spec));
        var text = read.Btf!;
        var ext = Btf.BtfExt.Parse(ReadSection(ElfObjectWriter.Write(spec), ".BTF.ext"), text);
        var textExt = ext.Single(s => s.SectionName == ".text");
        Assert.Equal(new[] { 0, 3 }, textExt.FuncInfos.Select(f => f.InstructionOffset));
        Assert.Equal(new[] { 0, 3, 4 }, textExt.LineInfos.Select(l => l.InstructionOffset));
        var back = read.Programs.Single(p => p.Name == "twice");
        Assert.Equal(new[] { 0, 1 }, back.LineInfos.Select(l => l.InstructionOffset));
        Assert.Equal(0, Assert.Single(back.FuncInfos).InstructionOffset);
    }

    [Fact]
    public void Missing_BTF_ext_strings_are_added_to_the_BTF()
    {
        var spec = SampleObjects.XdpAndTracepoint();
        Assert.Null(spec.Btf!.FindString(SampleObjects.File));
        var read = ElfObjectReader.Read(ElfObjectWriter.Write(spec));
        Assert.NotNull(read.Btf!.FindString(SampleObjects.File));
        Assert.Equal(SampleObjects.File, read.Programs.Single(p => p.Name == "xdp_count").LineInfos[0].FileName);
    }

    public static TheoryData<string, Action<ObjectSpec>, string> InvalidSpecs => new()
    {
        { "unknown map", s => Replace(s, "xdp_count", p => Copy(p, relocations: new[] { new Relocation(4, RelocationKind.Map, "nope") })),
            "program 'xdp_count' instruction 4 refers to map 'nope', which is not in ObjectSpec.Maps" },
        { "map relocation on a non-ld_imm64", s => Replace(s, "xdp_count", p => Copy(p, relocations: new[] { new Relocation(0, RelocationKind.Map, "counts") })),
            "program 'xdp_count' instruction 0 has a Map relocation against 'counts' but is not ld_imm64 (r1 = 0)" },
        { "call to an entry program", s => Replace(s, "on_getpid", p => Copy(p, relocations: new[] { new Relocation(1, RelocationKind.Call, "xdp_count") })),
            "program 'on_getpid' calls 'xdp_count', which is not a sub-program in .text" },
        { "local call without relocation", s => Replace(s, "on_getpid", p => Copy(p, relocations: Array.Empty<Relocation>())),
            "program 'on_getpid': instruction 1 is a BPF-to-BPF call without a Call relocation naming its callee" },
        { "relocation index out of range", s => Replace(s, "on_getpid", p => Copy(p, relocations: new[] { new Relocation(9, RelocationKind.Call, "add_one") })),
            "program 'on_getpid': relocation against 'add_one' names instruction 9, outside 0..3" },
        { "maps without BTF", s => { s.Btf = null; foreach (var p in s.Programs.ToList()) Replace(s, p.Name, q => new ProgramSpec { Name = q.Name, SectionName = q.SectionName, Instructions = q.Instructions, Relocations = q.Relocations }); },
            "the object has maps but ObjectSpec.Btf has no '.maps' DATASEC (libbpf needs BTF-defined maps)" },
        { "duplicate program", s => s.Programs.Add(s.Programs[2]),
            "two programs are named 'add_one'; function symbols must be unique" },
        { "global data offset outside the section", s => Replace(s, "xdp_count", p => Copy(p, instructions: p.Instructions.Select((i, n) => n == 7 ? i.WithConstant(16) : i).ToArray())),
            "program 'xdp_count' instruction 7: offset 16 is outside '.rodata' (16 bytes)" },
        { "func_info on some functions only", s => Replace(s, "add_one", p => new ProgramSpec { Name = p.Name, SectionName = p.SectionName, Instructions = p.Instructions, LineInfos = p.LineInfos }),
            "'add_one' has no func_info while other functions do; the kernel needs one for every function" },
        { "line_info not at the function start", s => Replace(s, "on_getpid", p => new ProgramSpec { Name = p.Name, SectionName = p.SectionName, Instructions = p.Instructions, Relocations = p.Relocations, FuncInfos = p.FuncInfos, LineInfos = p.LineInfos.Skip(1).ToArray() }),
            "'on_getpid' has line_info but none at instruction 0; the kernel requires one at each function start" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Invalid_specs_are_refused_with_one_line(string what, Action<ObjectSpec> breakIt, string message)
    {
        _ = what;
        var spec = SampleObjects.XdpAndTracepoint();
        breakIt(spec);
        var ex = Assert.Throws<InvalidObjectSpecException>(() => ElfObjectWriter.Write(spec));
        Assert.Equal(message, ex.Message);
    }

    static ProgramSpec Copy(ProgramSpec p, IReadOnlyList<Instruction>? instructions = null, IReadOnlyList<Relocation>? relocations = null) => new()
    {
        Name = p.Name, SectionName = p.SectionName, Type = p.Type, ExpectedAttachType = p.ExpectedAttachType, AttachTarget = p.AttachTarget,
        Instructions = instructions ?? p.Instructions, Relocations = relocations ?? p.Relocations, FuncInfos = p.FuncInfos, LineInfos = p.LineInfos,
    };

    static void Replace(ObjectSpec s, string name, Func<ProgramSpec, ProgramSpec> change)
    {
        int i = s.Programs.FindIndex(p => p.Name == name);
        s.Programs[i] = change(s.Programs[i]);
    }

    internal static byte[] ReadSection(byte[] elf, string name)
    {
        var path = Tools.WriteTemp(elf, "x.o");
        var outFile = path + ".sec";
        Tools.MustRun("llvm-objcopy", $"--dump-section={name}={outFile}", path, path + ".scratch");
        return File.ReadAllBytes(outFile);
    }
}
