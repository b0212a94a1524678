using Ebpf.Asm;

namespace Ebpf.Btf.Core;

/// <summary>Applies <see cref="CoreFixup"/>s to a program's instructions, as libbpf's bpf_core_patch_insn does: the imm
/// of an ALU instruction with an immediate operand, the offset (and, where safe, the size) of a load or store, or the
/// 64-bit value of an ld_imm64; poisoned fixups turn the instruction into a call to helper 0xbad2310.</summary>
public static class CoreInstructionPatcher
{
    /// <summary>The helper id a poisoned instruction calls (0xbad2310, "bad relo"): the verifier reports
    /// <c>invalid func unknown#195896080</c> when, and only when, the instruction is reachable.</summary>
    public const int PoisonHelperId = 0xbad2310;

    /// <summary>The instructions with every fixup applied. A poisoned ld_imm64 becomes two poison calls (its two slots),
    /// so the result may have one more instruction per such fixup, never a different slot count.</summary>
    /// <exception cref="CoreRelocationException">A fixup points into the middle of an instruction, at an instruction it
    /// cannot patch, or at one that does not hold the value the compiler should have written.</exception>
    public static List<Instruction> Apply(IReadOnlyList<Instruction> instructions, IReadOnlyList<CoreFixup> fixups)
    {
        var bySlot = new Dictionary<int, int>(instructions.Count);
        for (int i = 0, slot = 0; i < instructions.Count; slot += instructions[i].Slots, i++) bySlot[slot] = i;

        var patched = instructions.ToArray();
        var poisoned = new HashSet<int>();
        foreach (var fixup in fixups)
        {
            if (!bySlot.TryGetValue(fixup.InstructionOffset, out int index))
                throw Failure(fixup, $"slot {fixup.InstructionOffset} is not the start of an instruction");
            if (Patch(patched[index], fixup, out var result)) patched[index] = result;
            else poisoned.Add(index);
        }

        var output = new List<Instruction>(instructions.Count + poisoned.Count);
        for (int i = 0; i < patched.Length; i++)
        {
            if (!poisoned.Contains(i)) { output.Add(patched[i]); continue; }
            for (int s = 0; s < patched[i].Slots; s++) output.Add(Poison);
        }
        return output;
    }

    /// <summary>A call to the poison helper.</summary>
    public static Instruction Poison { get; } =
        new((byte)InstructionClass.Jmp | (byte)JumpOp.Call, Register.R0, Register.R0, 0, PoisonHelperId);

    /// <summary>True with the patched instruction, or false when the instruction is to be poisoned.</summary>
    static bool Patch(Instruction insn, CoreFixup fixup, out Instruction result)
    {
        result = insn;
        if (fixup.Poison) return false;
        switch (insn.Class)
        {
            case InstructionClass.Alu:
            case InstructionClass.Alu64:
                if (OpCodes.Source(insn.OpCode) != OperandSource.Imm)
                    throw Failure(fixup, $"instruction '{insn}' has a register operand, not an immediate to patch");
                if (fixup.Validate && (ulong)(long)insn.Imm != fixup.LocalValue)
                    throw Failure(fixup, $"instruction '{insn}' has imm {insn.Imm}, expected {fixup.LocalValue} from the object's BTF");
                result = insn with { Constant = unchecked((int)fixup.TargetValue) };
                return true;

            case InstructionClass.Ldx:
            case InstructionClass.St:
            case InstructionClass.Stx:
            {
                if (fixup.Validate && (ulong)(long)insn.Offset != fixup.LocalValue)
                    throw Failure(fixup, $"instruction '{insn}' has offset {insn.Offset}, expected {fixup.LocalValue} from the object's BTF");
                if (fixup.TargetValue > (ulong)short.MaxValue)
                    throw Failure(fixup, $"offset {fixup.TargetValue} does not fit the 16-bit offset of '{insn}'");
                if (fixup.UnsafeResize) return false;   // the loaded value would be wrong: fail verification if reached
                byte op = insn.OpCode;
                if (fixup.TargetSize != fixup.LocalSize)
                {
                    int bytes = OpCodes.SizeInBytes(OpCodes.Size(op));
                    if (bytes != fixup.LocalSize)
                        throw Failure(fixup, $"instruction '{insn}' accesses {bytes} bytes, but the field has {fixup.LocalSize} in the object's BTF");
                    if (fixup.TargetSize is not (1 or 2 or 4 or 8))
                        throw Failure(fixup, $"the field has {fixup.TargetSize} bytes in the target, which no load or store can access");
                    op = (byte)((op & 0xe7) | (byte)OpCodes.SizeFromBytes(fixup.TargetSize));
                }
                result = insn with { OpCode = op, Offset = (short)fixup.TargetValue };
                return true;
            }

            case InstructionClass.Ld:
                if (!insn.IsWide || insn.Src != Register.R0 || insn.Offset != 0)
                    throw Failure(fixup, $"instruction '{insn}' is not a plain ld_imm64");
                if (fixup.Validate && (ulong)insn.Constant != fixup.LocalValue)
                    throw Failure(fixup, $"instruction '{insn}' loads {insn.Constant}, expected {fixup.LocalValue} from the object's BTF");
                result = insn with { Constant = (long)fixup.TargetValue };
                return true;

            case InstructionClass.Jmp:
            case InstructionClass.Jmp32:
                throw Failure(fixup, $"instruction '{insn}' is a jump, which CO-RE cannot patch");
        }
        throw Failure(fixup, $"instruction '{insn}' has unknown class {insn.Class}");
    }

    static CoreRelocationException Failure(CoreFixup fixup, string message) => new($"{fixup.Site}: {message}");
}
