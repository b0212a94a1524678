using System.Text.RegularExpressions;

namespace Ebpf.Runtime.Tests.Core;

/// <summary>What the CO-RE tests build at test time: task_fields.bpf.c against a vmlinux.h made from the running
/// kernel's BTF (<c>bpftool btf dump ... format c</c>), libbpf's own decisions for it (a small C program linked with
/// libbpf-dev prints libbpf's debug log for the object relocated against a chosen BTF file), and the BTF of Debian's
/// 6.1 and 6.12 kernels (scripts/extract-kernel-btf.sh, cached under EBPF_KERNEL_CACHE).</summary>
static partial class CoreTestObjects
{
    public const string RunningKernelBtf = "/sys/kernel/btf/vmlinux";
    static string SourceDir => Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Core");

    static readonly Lazy<string> IncludeDir = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-core-vmlinux-").FullName;
        var dump = ExternalTool.Run(ExternalTool.Require("bpftool"), "btf", "dump", "file", RunningKernelBtf, "format", "c");
        Assert.True(dump.ExitCode == 0, dump.Combined);
        File.WriteAllText(Path.Combine(dir, "vmlinux.h"), dump.StdOut);
        return dir;
    });

    static readonly Lazy<string> TaskFieldsLazy = new(() =>
        ClangBpf.CompileFile(Path.Combine(SourceDir, "task_fields.bpf.c"), "-I" + IncludeDir.Value));

    /// <summary>The compiled task_fields.bpf.c.</summary>
    public static string TaskFields => TaskFieldsLazy.Value;

    static readonly Lazy<string> DirectFieldsLazy = new(() =>
        ClangBpf.CompileFile(Path.Combine(SourceDir, "direct_fields.bpf.c"), "-I" + IncludeDir.Value));

    /// <summary>The compiled direct_fields.bpf.c (CO-RE on loads rather than on address arithmetic).</summary>
    public static string DirectFields => DirectFieldsLazy.Value;

    /// <summary>One of the compiled test objects by name.</summary>
    public static string Object(string name) => name switch
    {
        "task_fields" => TaskFields,
        "direct_fields" => DirectFields,
        "core_across_kernels" => CoreAcrossKernels.Object,
        "skb_bitfields" => CoreAcrossKernels.SkbObject,
        _ => throw new ArgumentException($"no test object '{name}'", nameof(name)),
    };

    /// <summary>Compiles C <paramref name="source"/> that includes vmlinux.h.</summary>
    public static string CompileWithVmlinux(string source, string name) => ClangBpf.CompileSource(source, name, "-I" + IncludeDir.Value);

    static readonly Lazy<string> Harness = new(() =>
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("ebpf-core-libbpf-").FullName, "libbpf_core_log");
        var r = ExternalTool.Run(ExternalTool.Require("gcc"), "-O1", Path.Combine(SourceDir, "libbpf_core_log.c"), "-lbpf", "-o", output);
        Assert.True(r.ExitCode == 0, $"building the libbpf harness failed (libbpf-dev installed?):\n{r.Combined}");
        return output;
    });

    static readonly Lazy<IReadOnlyDictionary<string, string>> OlderKernels = new(() =>
    {
        var r = ExternalTool.RunWithTimeout("bash", TimeSpan.FromMinutes(10), Path.Combine(RepoPaths.Root, "scripts", "extract-kernel-btf.sh"));
        Assert.True(r.ExitCode == 0, $"scripts/extract-kernel-btf.sh failed:\n{r.Combined}");
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
    });

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Ebpf.Btf.BtfSpec>> Parsed = new();

    /// <summary>The BTF file at <paramref name="path"/>, parsed once for all tests.</summary>
    public static Ebpf.Btf.BtfSpec Parse(string path) => Parsed.GetOrAdd(path, p => new(() => Ebpf.Btf.BtfSpec.ParseFile(p))).Value;

    /// <summary>The BTF file of <paramref name="kernel"/>: "running", or a release prefix such as "6.1." / "6.12.".</summary>
    public static string BtfOf(string kernel) => kernel == "running" ? RunningKernelBtf
        : OlderKernels.Value.Single(kv => kv.Key.StartsWith(kernel, StringComparison.Ordinal) && !kv.Key.Contains('/')).Value;

    /// <summary>The split BTF of nf_conntrack.ko of <paramref name="kernel"/> (a release prefix such as "6.12.").</summary>
    public static string ModuleBtfOf(string kernel)
        => OlderKernels.Value.Single(kv => kv.Key.StartsWith(kernel, StringComparison.Ordinal) && kv.Key.EndsWith("/nf_conntrack")).Value;

    /// <summary>Writes <paramref name="objectPath"/> relocated by our runtime against <paramref name="btfPath"/> to
    /// <paramref name="outputPath"/> as an object without CO-RE records, so libbpf loads our instructions as they are.</summary>
    public static string RelocatedByUs(string objectPath, string btfPath, string outputPath)
    {
        var spec = Ebpf.Object.ElfObjectReader.ReadFile(objectPath);
        var target = Ebpf.Btf.Core.CoreTarget.Of(Parse(btfPath));
        for (int i = 0; i < spec.Programs.Count; i++)
        {
            var p = spec.Programs[i];
            if (p.CoreRelocations.Count == 0) continue;
            var fixups = Ebpf.Btf.Core.CoreRelocator.ComputeFixups(p.Name, p.CoreRelocations, spec.Btf!, target, p.LineInfos);
            var code = Ebpf.Btf.Core.CoreInstructionPatcher.Apply(p.Instructions, fixups);
            Assert.Equal(p.Instructions.Count, code.Count);   // no poisoned ld_imm64 here, so relocation indexes hold
            spec.Programs[i] = new ProgramSpec
            {
                Name = p.Name, SectionName = p.SectionName, Type = p.Type, ExpectedAttachType = p.ExpectedAttachType,
                AttachTarget = p.AttachTarget, Instructions = code, Relocations = p.Relocations, FuncInfos = p.FuncInfos,
                LineInfos = p.LineInfos,
            };
        }
        Ebpf.Object.ElfObjectWriter.WriteFile(spec, outputPath);
        return outputPath;
    }

    /// <summary>One of libbpf's relocation decisions: the relocation's index in its section, the instruction (slot in
    /// the section) and either the new value or poisoning.</summary>
    public sealed record LibbpfDecision(int Relocation, int Slot, bool Poisoned, string Class, ulong Old, ulong New);

    /// <summary>libbpf's decisions for the object's program <paramref name="program"/> relocated against <paramref name="btfPath"/>.</summary>
    public static List<LibbpfDecision> LibbpfDecisions(string objectPath, string btfPath, string program)
    {
        var r = ExternalTool.Run(Harness.Value, objectPath, btfPath);
        Assert.True(r.ExitCode == 0, r.Combined);
        var decisions = new List<LibbpfDecision>();
        foreach (var line in r.StdOut.Split('\n'))
        {
            if (!line.Contains($"prog '{program}'")) continue;
            var patched = Patched().Match(line);
            if (patched.Success)
                decisions.Add(new LibbpfDecision(int.Parse(patched.Groups[1].Value), int.Parse(patched.Groups[2].Value), false,
                    patched.Groups[3].Value, ulong.Parse(patched.Groups[5].Value), ulong.Parse(patched.Groups[6].Value)));
            var poisoned = Poisoned().Match(line);
            if (poisoned.Success)
                decisions.Add(new LibbpfDecision(int.Parse(poisoned.Groups[1].Value), int.Parse(poisoned.Groups[2].Value), true, "", 0, 0));
        }
        return decisions;
    }

    [GeneratedRegex(@"relo #(\d+): patched insn #(\d+) \(([A-Z0-9/]+)\) (imm|off|imm64) (\d+) -> (\d+)")]
    private static partial Regex Patched();

    [GeneratedRegex(@"relo #(\d+): substituting insn #(\d+) w/ invalid insn")]
    private static partial Regex Poisoned();
}
