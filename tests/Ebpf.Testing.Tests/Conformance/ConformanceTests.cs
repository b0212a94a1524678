using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Testing.Tests.Conformance;

/// <summary>The bpf_conformance suite (../shared/conformance/tests) run on the interpreter, every case, and the cases the
/// kernel accepts also run in the kernel (as <c>syscall</c> programs through BPF_PROG_TEST_RUN, the memory as context),
/// the two results compared.</summary>
public class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>Cases the interpreter does not run, each with its reason. Everything else must pass.</summary>
    public static readonly IReadOnlyDictionary<string, string> Exclusions = new Dictionary<string, string>
    {
        ["callx.data"] = "callx (BPF_CALL | BPF_X, a call through a register) is uBPF's extension, not part of the Linux instruction set: the verifier rejects it and the interpreter faults on it",
    };

    static IReadOnlyList<ConformanceCase> Suite()
    {
        var dir = RepoPaths.ConformanceTests;
        Skip.If(dir == null, "the bpf_conformance suite is not at ../shared/conformance/tests next to the repository (CI has it; a user's clone may not)");
        return ConformanceCase.All(dir!);
    }

    [SkippableFact]
    public void Every_case_gives_the_expected_r0_on_the_interpreter()
    {
        var cases = Suite();
        Assert.True(cases.Count >= 250, $"only {cases.Count} cases found");
        var failures = new List<string>();
        int passed = 0;
        foreach (var c in cases)
        {
            if (Exclusions.ContainsKey(c.File)) continue;
            try
            {
                var insns = ConformanceAssembler.Assemble(c.Asm);
                ulong r0 = BpfVm.ForInstructions().RunRaw(insns, c.Memory.ToArray());
                if (c.ExpectsError) failures.Add($"{c.File}: expected an error, got r0 = 0x{r0:x}");
                else if (r0 != c.Result) failures.Add($"{c.File}: r0 = 0x{r0:x}, expected 0x{c.Result:x}");
                else passed++;
            }
            catch (Exception e) when (e is InterpreterFault or FormatException)
            {
                if (c.ExpectsError) passed++;
                else failures.Add($"{c.File}: {e.Message}");
            }
        }
        output.WriteLine($"{passed} of {cases.Count} conformance cases pass on the interpreter; {Exclusions.Count} excluded: {string.Join("; ", Exclusions.Select(e => $"{e.Key}: {e.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} conformance failures:\n" + string.Join("\n", failures));
        Assert.Equal(cases.Count - Exclusions.Count, passed);
    }

    [SkippableFact]
    public void Excluded_cases_really_fail_the_way_their_reason_says()
    {
        var cases = Suite();
        var callx = cases.Single(c => c.File == "callx.data");
        var fault = Assert.Throws<InterpreterFault>(() => BpfVm.ForInstructions().RunRaw(ConformanceAssembler.Assemble(callx.Asm), callx.Memory));
        Assert.Equal(FaultKind.InvalidInstruction, fault.Kind);
        Assert.Contains("callx", fault.Message);
    }

    /// <summary>Each case loaded as a <c>syscall</c> program: R1 is the context (the case's memory), R2 is set to its
    /// length by a one-instruction prologue, and every exit of the main function jumps to an epilogue that returns the
    /// low or the high half of R0 (BPF_PROG_TEST_RUN reports 32 bits). Cases the verifier rejects (e.g. reading
    /// uninitialized stack, a division the verifier refuses) are counted and listed, not compared.</summary>
    [SkippableFact]
    public void Cases_the_kernel_accepts_give_the_same_r0_in_the_kernel_and_the_interpreter()
    {
        Kernel.RequireBpf();
        var cases = Suite();
        var rejected = new List<string>();
        var failures = new List<string>();
        int agreed = 0;
        foreach (var c in cases)
        {
            if (Exclusions.ContainsKey(c.File) || c.ExpectsError) continue;
            var insns = ConformanceAssembler.Assemble(c.Asm);
            ulong interpreted = BpfVm.ForInstructions().RunRaw(insns, c.Memory.ToArray());
            ulong? kernel;
            try { kernel = RunInKernel(c, insns); }
            catch (Exception e) when (e is VerifierException or LoadException or BpfException)
            {
                rejected.Add($"{c.File}: {e.Message.Split('\n')[0]}");
                continue;
            }
            if (kernel != interpreted) failures.Add($"{c.File}: kernel 0x{kernel:x}, interpreter 0x{interpreted:x} (expected 0x{c.Result:x})");
            else agreed++;
        }
        output.WriteLine($"{agreed} cases agree between the kernel and the interpreter; {rejected.Count} rejected by the kernel:\n  " + string.Join("\n  ", rejected));
        Assert.True(failures.Count == 0, $"{failures.Count} disagreements:\n" + string.Join("\n", failures));
        Assert.True(agreed >= 200, $"only {agreed} cases ran in the kernel; rejected:\n" + string.Join("\n", rejected));
    }

    static ulong RunInKernel(ConformanceCase c, List<Instruction> body)
    {
        ulong low = RunHalf(c, body, high: false), high = RunHalf(c, body, high: true);
        return high << 32 | low;
    }

    static ulong RunHalf(ConformanceCase c, List<Instruction> body, bool high)
    {
        // Main function: from the start up to the first BPF-to-BPF callee.
        var slotOf = new int[body.Count + 1];
        for (int i = 0; i < body.Count; i++) slotOf[i + 1] = slotOf[i] + body[i].Slots;
        int mainEnd = body.Count;
        for (int i = 0; i < body.Count; i++)
            if (body[i].IsLocalCall)
            {
                int target = slotOf[i + 1] + body[i].Imm;
                mainEnd = Math.Min(mainEnd, Array.IndexOf(slotOf, target));
            }
        // The epilogue goes right after the main function (a jump may not cross into a callee), so calls from the main
        // function move by its two slots.
        var epilogue = high ? Insn.Alu64(AluOp.Rsh, Register.R0, 32) : Insn.Alu64(AluOp.Add, Register.R0, 0);
        var program = new List<Instruction> { Insn.Mov64(Register.R2, c.Memory.Length) };
        int epilogueSlot = 1 + slotOf[mainEnd];
        for (int i = 0; i < body.Count; i++)
        {
            if (i == mainEnd) program.AddRange([epilogue, Insn.Exit()]);
            var insn = body[i];
            if (i < mainEnd && insn.IsExit) insn = Insn.Ja(checked((short)(epilogueSlot - (1 + slotOf[i] + 1))));
            else if (i < mainEnd && insn.IsLocalCall) insn = insn with { Constant = insn.Imm + 2 };
            program.Add(insn);
        }
        if (mainEnd == body.Count) program.AddRange([epilogue, Insn.Exit()]);
        var spec = new ProgramSpec { Name = "conformance", SectionName = "syscall", Type = ProgramType.Syscall, Instructions = program };
        using var loaded = Runtime.Program.Load(spec);
        var context = c.Memory.Length == 0 ? new byte[8] : c.Memory.ToArray();
        // A syscall program takes no ctx_out (EINVAL otherwise).
        return loaded.TestRun(new TestRunOptions { Context = context, ContextOutSize = 0 }).ReturnValue;
    }
}
