using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Control-flow graph cleanup: folds branches on constants and branches whose targets are
/// equal, removes unreachable blocks, merges a block into its only predecessor, bypasses blocks that
/// only jump, merges identical return blocks (one shared <c>w0 = 0; exit</c>, which other blocks returning the
/// same constant jump to), and threads jumps
/// through a block that only tests a phi of constants (<c>ok = TryRead(...); if (ok)</c>). Leaves the
/// blocks in reverse postorder.</summary>
public sealed class SimplifyCfg : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        bool again = true;
        while (again)
        {
            again = FoldBranches(function)
                | RemoveUnreachable(function)
                | MergeIntoPredecessor(function)
                | BypassForwardingBlocks(function)
                | MergeReturns(function)
                | ThreadJumps(function);
            changed |= again;
        }
        var order = BlockOrder.ReversePostOrder(function);
        if (!order.SequenceEqual(function.Blocks)) function.ReorderBlocks(order);
        return changed;
    }

    static bool FoldBranches(IrFunction function)
    {
        bool changed = false;
        foreach (var block in function.Blocks)
        {
            if (block.Terminator is not BranchInstruction br) continue;
            BasicBlock? target = br.Condition is Constant c ? (c.IsZero ? br.IfFalse : br.IfTrue)
                : br.IfTrue == br.IfFalse ? br.IfTrue : null;
            if (target is null) continue;
            var dropped = target == br.IfTrue ? br.IfFalse : br.IfTrue;
            block.SetTerminator(new JumpInstruction(target) { Location = br.Location });
            if (dropped != target)
                foreach (var phi in dropped.Phis) phi.RemoveIncoming(block);
            changed = true;
        }
        return changed;
    }

    static bool RemoveUnreachable(IrFunction function)
    {
        var reachable = BlockOrder.ReversePostOrder(function).ToHashSet();
        var dead = function.Blocks.Where(b => !reachable.Contains(b)).ToList();
        foreach (var block in dead) function.RemoveBlock(block);
        return dead.Count > 0;
    }

    static bool MergeIntoPredecessor(IrFunction function)
    {
        bool changed = false;
        foreach (var block in function.Blocks.ToList())
        {
            if (block == function.Entry || block.Predecessors.Count != 1) continue;
            var pred = block.Predecessors[0];
            if (pred == block || pred.Terminator is not JumpInstruction jump) continue;
            foreach (var phi in block.Phis.ToList())
            {
                phi.ReplaceAllUsesWith(phi.Operands[0]);
                phi.Erase();
            }
            jump.Erase();
            foreach (var inst in block.Instructions.ToList())
            {
                block.Remove(inst);
                pred.Append(inst);
            }
            foreach (var succ in pred.Successors.Distinct())
                foreach (var phi in succ.Phis) phi.ReplaceIncomingBlock(block, pred);
            function.RemoveBlock(block);
            changed = true;
        }
        return changed;
    }

    static bool BypassForwardingBlocks(IrFunction function)
    {
        bool changed = false;
        foreach (var block in function.Blocks.ToList())
        {
            if (block == function.Entry || block.Instructions.Count != 1 || block.Terminator is not JumpInstruction jump) continue;
            var target = jump.Target;
            if (target == block) continue;
            foreach (var pred in block.Predecessors.ToList())
            {
                bool conflict = target.Predecessors.Contains(pred)
                    && target.Phis.Any(phi => phi.IncomingFor(pred) != phi.IncomingFor(block));
                if (conflict) continue;
                bool alreadyPred = target.Predecessors.Contains(pred);
                pred.Terminator!.ReplaceSuccessor(block, target);
                if (!alreadyPred)
                    foreach (var phi in target.Phis) phi.AddIncoming(pred, phi.IncomingFor(block)!);
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>Blocks that only return the same value become one block.</summary>
    static bool MergeReturns(IrFunction function)
    {
        bool changed = false;
        var canonical = new Dictionary<object, BasicBlock>();
        foreach (var block in function.Blocks.ToList())
        {
            if (block == function.Entry || block.Instructions.Count != 1 || block.Terminator is not ReturnInstruction ret) continue;
            object key = ReturnKey(ret);
            if (!canonical.TryGetValue(key, out var keep)) { canonical[key] = block; continue; }
            foreach (var pred in block.Predecessors.ToList()) pred.Terminator!.ReplaceSuccessor(block, keep);
            changed = true;
        }
        // Blocks that do more and then return a constant jump to one block returning it instead, as clang's
        // shared exit (made when two of them return the same constant): one of them falls through into it,
        // each of the others trades `w0 = C; exit` for a jump.
        var tails = function.Blocks
            .Where(b => b.Instructions.Count > 1 && b.Terminator is ReturnInstruction { ReturnValue: null or Constant })
            .GroupBy(b => ReturnKey((ReturnInstruction)b.Terminator!));
        foreach (var group in tails)
        {
            if (!canonical.TryGetValue(group.Key, out var keep))
            {
                if (group.Count() < 2) continue;
                var first = (ReturnInstruction)group.First().Terminator!;
                keep = function.AddBlock("return");
                keep.Append(new ReturnInstruction(first.ReturnValue) { Location = first.Location });
            }
            foreach (var block in group)
                block.SetTerminator(new JumpInstruction(keep) { Location = block.Terminator!.Location });
            changed = true;
        }
        return changed;
    }

    static object ReturnKey(ReturnInstruction ret) => ret.ReturnValue switch
    {
        null => "void",
        Constant c => (c.Type, c.Bits),
        var v => v,
    };

    /// <summary>A block that only branches on a phi (or a comparison of a phi with a constant): a
    /// predecessor whose incoming value is a constant goes straight to the successor it selects.</summary>
    static bool ThreadJumps(IrFunction function)
    {
        bool changed = false;
        foreach (var block in function.Blocks.ToList())
        {
            if (block.Terminator is not BranchInstruction br) continue;
            var phis = block.Phis.ToList();
            if (phis.Count != 1) continue;
            var phi = phis[0];
            var body = block.Instructions.Skip(1).Take(block.Instructions.Count - 2).ToList();
            CompareInstruction? compare = null;
            if (body.Count == 1 && body[0] is CompareInstruction c && c.Left == phi && c.Right is Constant && br.Condition == c) compare = c;
            else if (body.Count != 0 || br.Condition != phi) continue;
            // Nothing defined here may be used elsewhere.
            if (phi.Users.Any(u => u != compare && u != br) || compare is not null && compare.Users.Any(u => u != br)) continue;

            foreach (var pred in block.Predecessors.ToList())
            {
                if (phi.IncomingFor(pred) is not Constant k) continue;
                bool taken = compare is null ? !k.IsZero : ConstantFolder.Compare(compare.Predicate, Constant.Int(compare.Left.Type, (long)k.Bits), (Constant)compare.Right);
                var target = taken ? br.IfTrue : br.IfFalse;
                if (target.Predecessors.Contains(pred)) continue;
                if (target.Phis.Any(p => p.IncomingFor(block) is Instruction { Block: var b } && b == block)) continue;
                pred.Terminator!.ReplaceSuccessor(block, target);
                foreach (var p in target.Phis) p.AddIncoming(pred, p.IncomingFor(block)!);
                phi.RemoveIncoming(pred);
                changed = true;
            }
        }
        return changed;
    }
}
