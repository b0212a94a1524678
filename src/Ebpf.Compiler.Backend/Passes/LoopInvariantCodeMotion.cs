using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Loop-invariant code motion: an instruction of a natural loop whose operands are all
/// defined outside the loop moves to the loop's preheader, so it runs once (a context field read
/// in a <c>for</c> loop is loaded before the loop).</summary>
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
            if (entries.Count != 1 || entries[0].Terminator is not JumpInstruction) continue; // preheader: a single plain entry
            var preheader = entries[0];
            bool writesMemory = body.SelectMany(b => b.Instructions).Any(i => i.WritesMemory);

            bool moved = true;
            while (moved)
            {
                moved = false;
                foreach (var block in dom.ReversePostOrder.Where(body.Contains))
                    foreach (var inst in block.Instructions.ToList())
                    {
                        if (!CanHoist(inst, writesMemory)) continue;
                        if (inst.Operands.Any(o => o is Instruction def && def.Block is { } b && body.Contains(b))) continue;
                        block.Remove(inst);
                        preheader.InsertBeforeTerminator(inst);
                        moved = changed = true;
                    }
            }
        }
        return changed;
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
