using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Loop-invariant code motion: an instruction of a natural loop whose operands are all
/// defined outside the loop moves to the loop's preheader, so it runs once (a context field read
/// in a <c>for</c> loop is loaded before the loop). A loop with a single entry edge from a branch gets a
/// preheader of its own on that edge: a comparison left in the loop would be tested register to register
/// in every round (see <c>InstructionSelector.TestedOnceBeforeLoop</c>).</summary>
/// <remarks>
/// Hoisted code runs even when the loop body would not have, so only what is safe to run
/// speculatively moves, and nothing the verifier would then reject: pure arithmetic (BPF division
/// never traps), comparisons, conversions, pointer offsets except on a map value not yet checked for
/// null, and loads from memory that is always readable (context, stack, globals) when the loop
/// writes no memory. Packet and map-value loads stay below the bounds or null checks that guard them.
/// </remarks>
public sealed class LoopInvariantCodeMotion : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        var dom = new DominatorTree(function);
        bool changed = false;
        foreach (var (header, body) in NaturalLoop.Of(dom))
        {
            var entries = header.Predecessors.Where(p => !body.Contains(p)).ToList();
            if (entries.Count != 1 || entries[0].Successors.Count(s => s == header) != 1) continue; // a single entry edge
            bool writesMemory = body.SelectMany(b => b.Instructions).Any(i => i.WritesMemory);
            bool Hoistable(Instruction inst) => CanHoist(inst, writesMemory)
                && !inst.Operands.Any(o => o is Instruction def && def.Block is { } b && body.Contains(b));
            if (!body.SelectMany(b => b.Instructions).Any(Hoistable)) continue;
            // The preheader: the entry itself when it only jumps here, else a block of its own on the entry edge (made
            // only when something moves, so SimplifyCfg does not remove an empty one on every round).
            var preheader = entries[0].Terminator is JumpInstruction ? entries[0] : SplitEntryEdge(function, entries[0], header);

            bool moved = true;
            while (moved)
            {
                moved = false;
                foreach (var block in dom.ReversePostOrder.Where(body.Contains))
                    foreach (var inst in block.Instructions.ToList())
                    {
                        if (!Hoistable(inst)) continue;
                        block.Remove(inst);
                        preheader.InsertBeforeTerminator(inst);
                        moved = changed = true;
                    }
            }
        }
        return changed;
    }

    /// <summary>A block on the edge from <paramref name="entry"/>, which branches, into <paramref name="header"/>.</summary>
    static BasicBlock SplitEntryEdge(IrFunction function, BasicBlock entry, BasicBlock header)
    {
        var preheader = function.AddBlockAfter(entry, "preheader");
        entry.Terminator!.ReplaceSuccessor(header, preheader);
        preheader.Append(new JumpInstruction(header) { Location = entry.Terminator.Location });
        foreach (var phi in header.Phis) phi.ReplaceIncomingBlock(entry, preheader);
        return preheader;
    }

    static bool CanHoist(Instruction inst, bool loopWritesMemory) => inst switch
    {
        BinaryInstruction or NegateInstruction or ByteSwapInstruction or CompareInstruction or ConvertInstruction => true,
        FrameAddressInstruction or GlobalAddressInstruction or MapHandleInstruction or KernelVariableAddressInstruction => true,
        PointerAddInstruction p => p.Pointer.Type.Pointee is not (PointerKind.MapValueOrNull or PointerKind.Unknown or PointerKind.Context),
        LoadInstruction { IsVolatile: false } l => !loopWritesMemory && AlwaysReadable(l.Address),
        _ => false,
    };

    static bool AlwaysReadable(Value address) => address is FrameAddressInstruction or GlobalAddressInstruction
        || address.Type.Pointee == PointerKind.Context;
}
