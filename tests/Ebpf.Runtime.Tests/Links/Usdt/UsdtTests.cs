using Ebpf.Object;

namespace Ebpf.Runtime.Tests.Links;

/// <summary>USDT through libbpf's usdt.bpf.h protocol: usdt_target.c (built with gcc here) has a plain probe, one
/// guarded by a semaphore and one with an indexed (SIB) operand; usdt.bpf.c (built with clang against the installed,
/// pre-1.7 usdt.bpf.h) reads the first two with BPF_USDT, one program attached by call, the other from its section
/// <c>usdt/PATH:demo:guarded</c>; usdt_sib.bpf.c reads the third through libbpf 1.7's spec layout.</summary>
public class UsdtTests
{
    static readonly string SourceDir = Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Links", "Usdt");

    static readonly Lazy<(string Target, string Object, string SibObject)> Built = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("ebpf-usdt-").FullName;
        string target = Path.Combine(dir, "usdt_target");
        var gcc = ExternalTool.Run(ExternalTool.Require("gcc"), "-O2", "-Wall", "-Werror", Path.Combine(SourceDir, "usdt_target.c"), "-o", target);
        Assert.True(gcc.ExitCode == 0, $"gcc failed:\n{gcc.StdErr}");
        string obj = ClangBpf.CompileFile(Path.Combine(SourceDir, "usdt.bpf.c"), "-D__TARGET_ARCH_x86", $"-DTARGET=\"{target}\"");
        return (target, obj, ClangBpf.CompileFile(Path.Combine(SourceDir, "usdt_sib.bpf.c")));
    });

    static string RunTarget(int iterations)
    {
        var r = ExternalTool.Run(Built.Value.Target, iterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(r.ExitCode == 0, $"usdt_target failed:\n{r.StdErr}");
        return r.StdOut.Trim();
    }

    [Fact]
    public void Notes_of_the_target_give_provider_name_offsets_semaphore_and_arguments()
    {
        var probes = UsdtNotes.Read(Built.Value.Target);
        Assert.Equal(["demo:plain", "demo:indexed", "demo:guarded"], probes.Select(p => $"{p.Provider}:{p.Name}"));
        var plain = probes[0];
        Assert.Equal(0UL, plain.SemaphoreAddress);
        Assert.Equal(5, UsdtArguments.Parse(plain.Arguments).Count);
        var indexed = UsdtArguments.Parse(probes[1].Arguments);
        Assert.Equal(UsdtArgumentKind.IndexedDeref, indexed[0].Kind);
        Assert.Equal(2, indexed[0].ScaleShift);
        var guarded = probes[2];
        Assert.NotEqual(0UL, guarded.SemaphoreAddress);
        Assert.Equal(guarded.SemaphoreAddress, ElfSymbolValue(Built.Value.Target, "demo_guarded_semaphore"));
        // The probe's nop: the file byte at its offset is 0x90.
        var bytes = File.ReadAllBytes(Built.Value.Target);
        Assert.All(probes, p => Assert.Equal(0x90, bytes[p.FileOffset]));
        // The semaphore lies in .probes: its file bytes are the initial 0.
        Assert.Equal(0, BitConverter.ToUInt16(bytes, (int)guarded.SemaphoreFileOffset));
    }

    [SkippableFact]
    public void Usdt_arguments_of_every_size_sign_and_location_reach_a_clang_built_bpf_usdt_program()
    {
        Kernel.RequireBpf();
        Assert.Equal("0", RunTarget(1));                                   // no tracer: the semaphore stays 0
        using var c = Collection.LoadFile(Built.Value.Object);
        using (var plain = c.GetProgram("on_plain").AttachUsdt(Built.Value.Target, "demo", "plain", cookie: 7))
        using (var guarded = c.GetProgram("on_guarded").Attach())          // SEC("usdt/PATH:demo:guarded")
        {
            Assert.IsType<UsdtLink>(guarded);
            Assert.Single(plain.Sites);
            Assert.Equal("1", RunTarget(5));                               // the uprobe's reference counter raised the semaphore
        }
        Assert.Equal(5L, c.ReadVariable<long>("plain_hits"));
        Assert.Equal(5L, c.ReadVariable<long>("plain_arg_count"));
        // The last iteration (i = 4) of usdt_target.c's loop.
        Assert.Equal(-7L - 4, c.ReadVariable<long>("plain_a"));              // -4@%edx: 4 bytes signed, in a register
        Assert.Equal(unchecked((long)(0x123456789abcdef0UL + 4)), c.ReadVariable<long>("plain_b"));   // 8@8(%rsp): memory
        Assert.Equal(-100L, c.ReadVariable<long>("plain_c"));               // -1@%cl: a byte register, sign-extended
        Assert.Equal(-42L, c.ReadVariable<long>("plain_k"));                // -4@$-42: a constant
        Assert.Equal(-30000L, c.ReadVariable<long>("plain_s"));             // -2@N(%rsp): 2 bytes signed in memory
        Assert.Equal(-2L, c.ReadVariable<long>("plain_missing_arg_error")); // bpf_usdt_arg beyond arg_cnt: -ENOENT
        Assert.Equal(5L, c.ReadVariable<long>("guarded_hits"));             // fired only because the semaphore was set
        Assert.Equal(200L, c.ReadVariable<long>("guarded_u"));              // 1@%dl: unsigned byte, zero-extended
        Assert.Equal(-5L, c.ReadVariable<long>("guarded_l"));               // -8@%rcx
        Assert.Equal(0L, c.ReadVariable<long>("guarded_cookie"));           // auto-attach passes no cookie

        Assert.Equal("0", RunTarget(2));                                   // detached: the semaphore is back to 0
        Assert.Equal(5L, c.ReadVariable<long>("plain_hits"));
    }

    [SkippableFact]
    public void Usdt_cookie_reaches_the_program_and_the_spec_slots_are_reused_after_detach()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(Built.Value.Object);
        var program = c.GetProgram("on_guarded");
        for (int i = 0; i < 300; i++)                                      // more attachments than the 256 spec slots
            program.AttachUsdt(Built.Value.Target, "demo", "guarded", cookie: 1234).Dispose();
        using (program.AttachUsdt(Built.Value.Target, "demo", "guarded", cookie: 1234))
            RunTarget(1);
        Assert.Equal(1234L, c.ReadVariable<long>("guarded_cookie"));
    }

    [SkippableFact]
    public void Unknown_probe_names_the_probes_the_file_has()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(Built.Value.Object);
        var e = Assert.Throws<ArgumentException>(() => c.GetProgram("on_plain").AttachUsdt(Built.Value.Target, "demo", "nope"));
        Assert.Contains("demo:plain, demo:indexed, demo:guarded", e.Message);
    }

    [SkippableFact]
    public void Indexed_operand_reaches_a_program_built_with_libbpf_1_7s_spec_layout()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(Built.Value.SibObject);
        using (c.GetProgram("on_indexed").AttachUsdt(Built.Value.Target, "demo", "indexed", cookie: 99))
            RunTarget(6);
        Assert.Equal(6L, c.ReadVariable<long>("indexed_hits"));
        Assert.Equal(0L, c.ReadVariable<long>("indexed_error"));
        Assert.Equal(2L, c.ReadVariable<long>("indexed_arg_count"));
        Assert.Equal(99L, c.ReadVariable<long>("indexed_cookie"));
        // The last iteration (i = 5): index 5 % 4 = 1, table[2 + 1] = -40, read as -4@8(%base,%index,4).
        Assert.Equal(1L, c.ReadVariable<long>("indexed_index"));
        Assert.Equal(-40L, c.ReadVariable<long>("indexed_value"));
    }

    [SkippableFact]
    public void Indexed_operand_is_refused_for_a_program_built_with_an_older_usdt_bpf_h()
    {
        Kernel.RequireBpf();
        using var c = Collection.LoadFile(Built.Value.Object);
        var e = Assert.Throws<NotSupportedException>(() => c.GetProgram("on_plain").AttachUsdt(Built.Value.Target, "demo", "indexed"));
        Assert.Contains("argument 0 is an indexed memory operand", e.Message);
        Assert.Contains("libbpf 1.7", e.Message);
        Assert.Contains("-4@8(%r", e.Message);
        Assert.Equal("0", RunTarget(1));                                   // nothing stayed attached
    }

    [Fact]
    public void Spec_layouts_come_from_the_objects_btf()
    {
        // The installed usdt.bpf.h (before libbpf 1.7) gives the classic layout written out in UsdtSpecLayout.
        var classic = ElfObjectReader.ReadFile(Built.Value.Object).Maps.Single(m => m.Name == "__bpf_usdt_specs");
        Assert.Equal(UsdtSpecLayout.Classic, UsdtSpecLayout.FromBtf(classic.ValueType!, classic.Name));
        var sib = ElfObjectReader.ReadFile(Built.Value.SibObject).Maps.Single(m => m.Name == "__bpf_usdt_specs");
        var layout = UsdtSpecLayout.FromBtf(sib.ValueType!, sib.Name);
        Assert.Equal((304, 24, 12), (layout.Size, layout.ArgumentStride, layout.ArgumentCount));
        Assert.Equal(new UsdtSpecLayout.Field(64, 8), layout.Kind);
        Assert.Equal(new UsdtSpecLayout.Field(80, 12), layout.IndexRegisterOffset);
        Assert.Equal(new UsdtSpecLayout.Field(92, 4), layout.ScaleShift);
        Assert.Equal(new UsdtSpecLayout.Field(112, 16), layout.RegisterOffset);
        Assert.Equal(new UsdtSpecLayout.Field(288 * 8, 64), layout.Cookie);

        var spec = layout.Encode(UsdtArguments.Parse("-4@8(%r8,%rdx,4) 8@%rdi"), cookie: 5);
        Assert.Equal(8L, BitConverter.ToInt64(spec, 0));                   // val_off
        Assert.Equal(3, spec[8]);                                          // arg_type BPF_USDT_ARG_SIB
        Assert.Equal((ushort)(96 | 2 << 12), BitConverter.ToUInt16(spec, 10));   // idx_reg_off rdx, scale_bitshift 2
        Assert.Equal((short)72, BitConverter.ToInt16(spec, 14));           // reg_off of r8
        Assert.Equal(1, spec[16]);                                         // arg_signed
        Assert.Equal(32, spec[17]);                                        // arg_bitshift: 64 - 32
        Assert.Equal(1, spec[24 + 8]);                                     // args[1]: BPF_USDT_ARG_REG
        Assert.Equal((short)112, BitConverter.ToInt16(spec, 24 + 14));     // rdi
        Assert.Equal(5UL, BitConverter.ToUInt64(spec, 288));               // usdt_cookie
        Assert.Equal((short)2, BitConverter.ToInt16(spec, 296));           // arg_cnt
    }

    [Theory]
    [InlineData("-4@%edx", UsdtArgumentKind.Register, 0, 96, 4, true)]
    [InlineData("8@%r15", UsdtArgumentKind.Register, 0, 0, 8, false)]
    [InlineData("1@%sil", UsdtArgumentKind.Register, 0, 104, 1, false)]
    [InlineData("-2@-1204(%rbp)", UsdtArgumentKind.RegisterDeref, -1204, 32, 2, true)]
    [InlineData("8@(%rax)", UsdtArgumentKind.RegisterDeref, 0, 80, 8, false)]
    [InlineData("4@0x10(%r12)", UsdtArgumentKind.RegisterDeref, 16, 24, 4, false)]
    [InlineData("-4@$-9", UsdtArgumentKind.Constant, -9, 0, 4, true)]
    public void Argument_specs_parse_to_pt_regs_offsets(string spec, UsdtArgumentKind kind, long offset, short register, int size, bool signed)
        => Assert.Equal(new UsdtArgument(kind, offset, register, size, signed), Assert.Single(UsdtArguments.Parse(spec)));

    [Theory]
    [InlineData("-1@-96(%rbp,%rax,8)", -96, 32, 80, 3)]
    [InlineData("1@(%rbp,%rax,8)", 0, 32, 80, 3)]
    [InlineData("4@-96(%rbp,%rax)", -96, 32, 80, 0)]
    [InlineData("8@(%r12,%rcx)", 0, 24, 88, 0)]
    [InlineData("2@0x10(%rsi,%r9,2)", 16, 104, 64, 1)]
    public void Indexed_operands_parse_to_base_index_and_scale(string spec, long offset, short register, short index, int shift)
    {
        var a = Assert.Single(UsdtArguments.Parse(spec));
        Assert.Equal((UsdtArgumentKind.IndexedDeref, offset, register, index, shift), (a.Kind, a.Offset, a.RegisterOffset, a.IndexRegisterOffset, a.ScaleShift));
    }

    [Theory]
    [InlineData("4@%ah", "not an x86-64 general purpose register")]
    [InlineData("3@%eax", "size 3")]
    [InlineData("8@8(%rax,%rbx,3)", "scale '3' is not 1, 2, 4 or 8")]
    [InlineData("8@8(,%rbx,4)", "without a base register")]
    [InlineData("8@8(%rax,%rbx,4,1)", "expected (%base)")]
    [InlineData("8@sym(%rip)", "not a number")]
    [InlineData("%eax", "expected SIZE@OPERAND")]
    public void Unsupported_argument_specs_are_named(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => UsdtArguments.Parse(spec));
        Assert.Contains(spec, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Encoded_spec_matches_usdt_bpf_h_layout()
    {
        var spec = UsdtSpecLayout.Classic.Encode(UsdtArguments.Parse("-2@-8(%rbp) 8@%rdi"), cookie: 0xabcdef);
        Assert.Equal(208, spec.Length);
        Assert.Equal(-8L, BitConverter.ToInt64(spec, 0));                  // args[0].val_off
        Assert.Equal(2u, BitConverter.ToUInt32(spec, 8));                  // arg_type BPF_USDT_ARG_REG_DEREF
        Assert.Equal((short)32, BitConverter.ToInt16(spec, 12));           // reg_off of rbp
        Assert.Equal(1, spec[14]);                                         // arg_signed
        Assert.Equal(48, spec[15]);                                        // arg_bitshift: 64 - 16
        Assert.Equal(1u, BitConverter.ToUInt32(spec, 16 + 8));             // args[1]: BPF_USDT_ARG_REG
        Assert.Equal((short)112, BitConverter.ToInt16(spec, 16 + 12));     // rdi
        Assert.Equal(0, spec[16 + 15]);
        Assert.Equal(0xabcdefUL, BitConverter.ToUInt64(spec, 192));        // usdt_cookie
        Assert.Equal((short)2, BitConverter.ToInt16(spec, 200));           // arg_cnt
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_by_name()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "#!/bin/sh\n");
        var e = Assert.Throws<ArgumentException>(() => UsdtNotes.Read(path));
        Assert.Contains("is not an ELF file", e.Message);
        File.WriteAllBytes(path, File.ReadAllBytes(Built.Value.Target)[..200]);
        e = Assert.Throws<ArgumentException>(() => UsdtNotes.Read(path));
        Assert.Contains("truncated or malformed", e.Message);
        File.Delete(path);
    }

    static ulong ElfSymbolValue(string path, string symbol)
    {
        var r = ExternalTool.Run(ExternalTool.Require("nm"), path);
        var line = r.StdOut.Split('\n').Single(l => l.EndsWith(" " + symbol, StringComparison.Ordinal));
        return Convert.ToUInt64(line[..line.IndexOf(' ')], 16);
    }
}
