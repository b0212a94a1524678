using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Removes instructions whose results nobody needs: marks everything with side effects
/// (stores, calls, atomics, terminators) and what they use transitively, then sweeps the rest, and
/// drops stack slots no instruction refers to any more.</summary>
/// <remarks>Loads are removable: dropping an unused packet or map read can only make the verifier's
/// job easier, never harder.</remarks>
public sealed class DeadCodeElimination : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        var live = new HashSet<Instruction>();
        var work = new Stack<Instruction>();
        foreach (var inst in function.Instructions)
            if (inst.HasSideEffects && live.Add(inst)) work.Push(inst);
        while (work.Count > 0)
            foreach (var op in work.Pop().Operands)
                if (op is Instruction def && live.Add(def)) work.Push(def);

        bool changed = false;
        foreach (var block in function.Blocks)
            foreach (var inst in block.Instructions.Reverse().ToList())
                if (!live.Contains(inst))
                {
                    inst.DropOperands();
                    block.Remove(inst);
                    changed = true;
                }

        var used = function.Instructions.OfType<FrameAddressInstruction>().Select(f => f.Slot).ToHashSet();
        foreach (var slot in function.Slots.ToList())
            if (!used.Contains(slot))
            {
                function.RemoveSlot(slot);
                changed = true;
            }
        return changed;
    }
}
