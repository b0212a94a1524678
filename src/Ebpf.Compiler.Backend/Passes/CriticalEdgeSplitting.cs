using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Splits every edge from a block with several successors to a block with phis and several
/// predecessors, so instruction selection can place the phi copies at the end of a predecessor
/// without them running on the other edge. Runs last, right before out-of-SSA.</summary>
public sealed class CriticalEdgeSplitting : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        foreach (var block in function.Blocks.ToList())
        {
            if (block.Successors.Count < 2) continue;
            foreach (var succ in block.Successors.Distinct().ToList())
            {
                if (succ.Predecessors.Count < 2 || !succ.Phis.Any()) continue;
                var middle = function.AddBlockAfter(block, "edge");
                block.Terminator!.ReplaceSuccessor(succ, middle);
                middle.Append(new JumpInstruction(succ) { Location = block.Terminator.Location });
                foreach (var phi in succ.Phis) phi.ReplaceIncomingBlock(block, middle);
                changed = true;
            }
        }
        return changed;
    }
}
