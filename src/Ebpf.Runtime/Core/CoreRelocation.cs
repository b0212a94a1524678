using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime;

/// <summary>The loader's CO-RE step: a linked program's relocations computed against the target kernel BTF
/// (<see cref="CoreRelocator"/>) and applied to its instructions (<see cref="CoreInstructionPatcher"/>) before
/// BPF_PROG_LOAD, unless the kernel is asked to do it (<see cref="CoreRelocationMode.Kernel"/>).</summary>
internal static class CoreRelocation
{
    /// <summary>Relocates <paramref name="program"/> in place; nothing to do without relocations or in kernel mode.</summary>
    public static void Apply(LinkedProgram program, BtfSpec? objectBtf, CoreOptions options, List<string> warnings)
    {
        if (program.CoreRelocations.Count == 0 || options.Mode == CoreRelocationMode.Kernel) return;
        if (objectBtf is null)
            throw new LoadException($"program '{program.Name}' has {program.CoreRelocations.Count} CO-RE relocation(s) but the object has no BTF to read them with");
        var target = CoreTargets.For(options);
        IReadOnlyList<CoreFixup> fixups;
        List<Ebpf.Asm.Instruction> patched;
        try
        {
            fixups = CoreRelocator.ComputeFixups(program.Name, program.CoreRelocations, objectBtf, target, program.LineInfos);
            patched = CoreInstructionPatcher.Apply(program.Instructions, fixups);
        }
        catch (CoreRelocationException e)
        {
            throw new LoadException($"CO-RE relocation against {target.Kernel.Name} failed: {e.Message}", e);
        }
        foreach (var f in fixups.Where(f => f.Poison))
            warnings.Add($"{f} (target BTF: {target.Kernel.Name})");
        program.ApplyCoreFixups(patched, fixups);
    }

    /// <summary>Runs <paramref name="load"/>; when the verifier stops at a poisoned instruction (a relocation the
    /// target kernel has no match for, reached by the program), the error says which access it was and why.</summary>
    public static T ExplainPoisoned<T>(LinkedProgram program, Func<T> load)
    {
        try { return load(); }
        catch (VerifierException e) when (Poisoned(program, e) is CoreFixup fixup)
        {
            throw new UnresolvedCoreRelocationException(fixup,
                $"{e.Location?.ToString() ?? $"program '{program.Name}'"}: CO-RE relocation unresolved and reached: {fixup.Site}: {fixup.Reason}. "
                + "The kernel's BTF has no such field or type; guard the access with an existence check (bpf_core_field_exists / "
                + "bpf_core_type_exists) so the program takes another branch on this kernel. "
                + $"(verifier: {e.Reason.Trim()})", e);
        }
    }

    static CoreFixup? Poisoned(LinkedProgram program, VerifierException e)
    {
        if (!e.Log.Contains($"unknown#{CoreInstructionPatcher.PoisonHelperId}")) return null;
        var poisoned = program.CoreFixups.Where(f => f.Poison).ToList();
        // The verifier names the slot it stopped at; a poisoned ld_imm64 occupies two.
        return poisoned.FirstOrDefault(f => e.InstructionSlot is int s && (s == f.InstructionOffset || s == f.InstructionOffset + 1))
               ?? poisoned.FirstOrDefault();
    }
}

/// <summary>A program reached an instruction whose CO-RE relocation the target kernel's BTF could not resolve (the
/// verifier's <c>invalid func unknown#195896080</c>). <see cref="Fixup"/> names the program, source line, type and access.</summary>
public sealed class UnresolvedCoreRelocationException(CoreFixup fixup, string message, VerifierException inner)
    : LoadException(message, inner)
{
    public CoreFixup Fixup { get; } = fixup;
}
