using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>The verifier message catalog on real kernel logs: each program breaks one verifier rule, the running
/// kernel rejects it, and <see cref="VerifierException"/> carries the catalog's class for the kernel's reason
/// (the same table <c>ebpf build --verify</c> uses). The asserted log fragment records the kernel's wording.
/// Run as root, so rules the kernel relaxes for CAP_PERFMON (uninitialized stack reads) cannot be shown here.</summary>
public class VerifierCatalogKernelTests(ITestOutputHelper output)
{
    static ProgramBuilder Socket(string name) => new ProgramBuilder(name, ProgramType.SocketFilter, "socket").Line("Catalog.cs", 1, 1, "probe");

    static readonly Dictionary<string, Func<ProgramSpec>> Programs = new()
    {
        ["ScalarDereference"] = () => Socket("ScalarDeref").Emit(Insn.Mov64(R1, 4096)).Emit(Insn.Load(MemSize.DW, R0, R1, 0)).Emit(Insn.Exit()).Build(),
        ["UninitializedR0"] = () => Socket("NoR0").Emit(Insn.Exit()).Build(),
        ["InfiniteLoop"] = () => Socket("Loop").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Ja(-1)).Build(),
        ["StackOutOfRange"] = () => Socket("Stack").Emit(Insn.StoreImm(MemSize.DW, R10, -520, 0)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
        ["UnknownHelperId"] = () => Socket("BadHelper").Emit(Insn.CallHelper(9999)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
        ["HelperNotForProgramType"] = () => Socket("Override").Emit(Insn.Mov64(R2, 0)).Emit(Insn.CallHelper(58)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
        ["InvalidContextAccess"] = () => Socket("Ctx").Emit(Insn.Load(MemSize.W, R0, R1, 1000)).Emit(Insn.Exit()).Build(),
        ["ArgumentTypeMismatch"] = () => Socket("ArgType").Emit(Insn.Mov64(R1, 0)).Emit(Insn.Mov64(R2, R10)).Emit(Insn.Alu64(AluOp.Add, R2, -8))
            .Emit(Insn.StoreImm(MemSize.DW, R10, -8, 0)).Emit(Insn.CallHelper(1)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
        ["PointerArithmetic"] = () => Socket("PtrMul").Emit(Insn.Alu64(AluOp.Mul, R1, 2)).Emit(Insn.Load(MemSize.W, R0, R1, 0)).Emit(Insn.Exit()).Build(),
        ["GplHelperUnderMit"] = () => new ProgramBuilder("Gpl", ProgramType.Kprobe, "kprobe/do_sys_openat2").Line("Catalog.cs", 1, 1, "probe")
            .Emit(Insn.Mov64(R1, R10)).Emit(Insn.Alu64(AluOp.Add, R1, -8)).Emit(Insn.Mov64(R2, 8)).Emit(Insn.Mov64(R3, 0))
            .Emit(Insn.CallHelper(113)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
    };

    public static TheoryData<string, string, string> Cases => new()
    {
        { "ScalarDereference", "EBPF2216", "invalid mem access 'scalar'" },
        { "UninitializedR0", "EBPF2209", "R0 !read_ok" },
        { "InfiniteLoop", "EBPF2210", "infinite loop detected" },
        { "StackOutOfRange", "EBPF2207", "invalid write to stack" },
        { "UnknownHelperId", "EBPF2219", "invalid func unknown#9999" },
        { "HelperNotForProgramType", "EBPF2214", "bpf_override_return#58" },
        { "InvalidContextAccess", "EBPF2217", "invalid bpf_context access off=1000" },
        { "ArgumentTypeMismatch", "EBPF2220", "R1 type=scalar expected=map_ptr" },
        { "PointerArithmetic", "EBPF2222", "pointer arithmetic with *= operator prohibited" },
        { "GplHelperUnderMit", "EBPF2213", "cannot call GPL-restricted function from non-GPL compatible program" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Kernel_rejection_is_classified_by_the_catalog(string program, string id, string kernelWording)
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec { License = program == "GplHelperUnderMit" ? "MIT" : "GPL" };
        spec.Programs.Add(Programs[program]());
        var e = Assert.Throws<VerifierException>(() => { using var c = Collection.Load(spec); });
        output.WriteLine(e.Message);
        Assert.Contains(kernelWording, e.Log);
        Assert.Equal(id, e.DiagnosticId);
        Assert.StartsWith($"Catalog.cs(1,1): error {id}: ", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Meaning));
    }
}
