using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>Links an entry program with the sub-programs it calls (BPF-to-BPF calls), like libbpf's
/// <c>bpf_object__reloc_code</c>: each reachable callee is appended once, after the entry, depth-first in the order
/// calls reach it; a call's imm becomes <c>callee_start - (call_slot + 1)</c>; the callee's func_info, line_info and
/// CO-RE records move by its start slot.</summary>
public static class ProgramLinker
{
    /// <summary>Links <paramref name="entry"/> against the functions of <paramref name="functions"/> (by name).</summary>
    public static LinkedProgram Link(ProgramSpec entry, IReadOnlyList<ProgramSpec> functions)
    {
        var byName = new Dictionary<string, ProgramSpec>(StringComparer.Ordinal);
        foreach (var f in functions)
            if (!byName.TryAdd(f.Name, f) && f.IsSubprogram)
                byName[f.Name] = f; // a sub-program wins over an entry program of the same name

        var instructions = new List<Instruction>();
        var placed = new List<LinkedFunction>();
        var placedByName = new Dictionary<string, LinkedFunction>(StringComparer.Ordinal);
        var calls = new List<(int Index, string Callee, string Caller)>();
        var relocations = new List<Relocation>();
        var funcInfos = new List<BtfFuncInfo>();
        var lineInfos = new List<BtfLineInfo>();
        var coreRelocations = new List<BtfCoreRelocation>();
        int slot = 0;

        void Place(ProgramSpec function)
        {
            if (function.Instructions.Count == 0)
                throw new LoadException($"function '{function.Name}' has no instructions");
            int firstIndex = instructions.Count;
            int slots = function.Instructions.Sum(i => i.Slots);
            var linked = new LinkedFunction(function, firstIndex, slot, slots);
            placed.Add(linked);
            placedByName[function.Name] = linked;
            instructions.AddRange(function.Instructions);
            var callees = new List<string>();
            foreach (var reloc in function.Relocations.OrderBy(r => r.InstructionIndex))
            {
                if (reloc.InstructionIndex < 0 || reloc.InstructionIndex >= function.Instructions.Count)
                    throw new LoadException($"function '{function.Name}' has a {reloc.Kind} relocation for '{reloc.Symbol}' at instruction {reloc.InstructionIndex}, outside its {function.Instructions.Count} instructions");
                int index = firstIndex + reloc.InstructionIndex;
                if (reloc.Kind == RelocationKind.Call)
                {
                    calls.Add((index, reloc.Symbol, function.Name));
                    callees.Add(reloc.Symbol);
                }
                else relocations.Add(reloc with { InstructionIndex = index });
            }
            foreach (var fi in function.FuncInfos) funcInfos.Add(fi with { InstructionOffset = fi.InstructionOffset + slot });
            foreach (var li in function.LineInfos) lineInfos.Add(li with { InstructionOffset = li.InstructionOffset + slot });
            foreach (var cr in function.CoreRelocations) coreRelocations.Add(cr with { InstructionOffset = cr.InstructionOffset + slot });
            slot += slots;

            // Depth-first, in instruction order, as libbpf's bpf_object__reloc_code does: a callee is appended, with
            // its own callees, when the first call to it is reached. The same order makes our xlated code libbpf's.
            foreach (var callee in callees)
            {
                if (placedByName.ContainsKey(callee)) continue;
                if (!byName.TryGetValue(callee, out var target))
                    throw new LoadException($"function '{function.Name}' calls '{callee}', which the object does not define");
                Place(target);
            }
        }

        Place(entry);

        var slotOf = new int[instructions.Count + 1];
        for (int i = 0; i < instructions.Count; i++) slotOf[i + 1] = slotOf[i] + instructions[i].Slots;
        foreach (var (index, callee, caller) in calls)
        {
            var insn = instructions[index];
            int target = placedByName[callee].FirstSlot;
            int relative = target - (slotOf[index] + 1);
            if (insn.IsCall)
                instructions[index] = insn with { Src = (Register)1 /* BPF_PSEUDO_CALL */, Constant = relative };
            else if (insn.IsWide)
                // ld_imm64 of a callback (bpf_loop, bpf_for_each_map_elem...): libbpf sets BPF_PSEUDO_FUNC and the
                // same relative offset in the first slot's imm.
                instructions[index] = insn with { Src = (Register)PseudoSource.Func, Constant = (uint)relative };
            else
                throw new LoadException($"function '{caller}' has a call relocation for '{callee}' on instruction {index - placed.First(f => f.FirstInstruction <= index && index < f.FirstInstruction + f.Spec.Instructions.Count).FirstInstruction} ({insn}), which is neither a call nor an ld_imm64");
        }

        lineInfos.Sort((a, b) => a.InstructionOffset.CompareTo(b.InstructionOffset));
        return new LinkedProgram(entry, instructions, placed, relocations, funcInfos, lineInfos, coreRelocations);
    }
}
