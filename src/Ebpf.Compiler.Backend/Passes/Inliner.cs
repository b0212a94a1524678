using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Replaces calls of C# methods by a copy of the callee's (already optimized) IR. A method
/// marked <c>NoInlining</c> stays a BPF-to-BPF call; <c>AggressiveInlining</c> is always inlined;
/// otherwise small callees (at most <see cref="Threshold"/> instructions) are inlined. Calls name their callee by
/// id; <c>callees</c> gives its IR (built on demand by the frontend).</summary>
/// <remarks>Inlining first means every later pass sees whole programs: a context pointer or a
/// constant argument reaches the callee's code, and the callee's stack variables are promoted with
/// the caller's. Recursion never reaches here: the callee provider refuses a method that is being
/// compiled up the call chain.</remarks>
public sealed class Inliner(Func<string, IrFunction?> callees, int threshold = 64) : FunctionPass
{
    public int Threshold { get; } = threshold;

    public override bool Run(IrFunction function)
    {
        bool changed = false;
        foreach (var call in function.Instructions.OfType<FunctionCallInstruction>().ToList())
        {
            if (call.MustNotInline) continue;
            var callee = callees(call.Callee);
            if (callee is null) continue;
            if (!callee.AlwaysInline && callee.Instructions.Count() > Threshold) continue;
            Inline(function, call, callee);
            changed = true;
        }
        if (changed) PointerTypes.Refine(function);
        return changed;
    }

    /// <summary>Splits the caller's block at the call, clones the callee's blocks in between and
    /// turns its returns into jumps to the continuation (with a phi for the result).</summary>
    public static void Inline(IrFunction caller, FunctionCallInstruction call, IrFunction callee)
    {
        var block = call.Block!;
        var continuation = caller.AddBlockAfter(block, "after " + callee.Name);
        var next = block.Instructions[block.Instructions.ToList().IndexOf(call) + 1];
        block.MoveTailTo(next, continuation);
        foreach (var succ in continuation.Successors.Distinct())
            foreach (var phi in succ.Phis) phi.ReplaceIncomingBlock(block, continuation);

        var slots = callee.Slots.ToDictionary(s => s, s => caller.AddSlot(callee.Name + "." + s.Name, s.Size, s.Alignment));
        var blocks = new Dictionary<BasicBlock, BasicBlock>();
        var after = block;
        foreach (var b in callee.Blocks)
        {
            blocks[b] = caller.AddBlockAfter(after, b.Hint is null ? callee.Name : callee.Name + "." + b.Hint);
            after = blocks[b];
        }
        var values = new Dictionary<Value, Value>();
        for (int i = 0; i < callee.Parameters.Count; i++) values[callee.Parameters[i]] = call.Operands[i];
        Value Map(Value v) => v is Constant or UndefinedValue ? v : values.TryGetValue(v, out var m) ? m : throw new InvalidOperationException($"inliner: unmapped operand in {callee.Name}");

        // Phis first (their inputs may come from later blocks), then everything in dominance order.
        var phis = new List<(PhiInstruction Original, PhiInstruction Copy)>();
        foreach (var b in callee.Blocks)
            foreach (var phi in b.Phis)
            {
                var copy = blocks[b].InsertPhi(new PhiInstruction(phi.Type) { Location = phi.Location });
                values[phi] = copy;
                phis.Add((phi, copy));
            }
        var returns = new List<(BasicBlock Block, Value? Value)>();
        foreach (var b in BlockOrder.ReversePostOrder(callee))
        {
            var target = blocks[b];
            foreach (var inst in b.Instructions)
            {
                if (inst is PhiInstruction) continue;
                if (inst is ReturnInstruction ret)
                {
                    returns.Add((target, ret.ReturnValue is null ? null : Map(ret.ReturnValue)));
                    target.Append(new JumpInstruction(continuation) { Location = ret.Location });
                    continue;
                }
                var copy = inst.Clone(Map, x => blocks[x], s => slots[s]);
                values[inst] = copy;
                target.Append(copy);
            }
        }
        foreach (var (original, copy) in phis)
            for (int i = 0; i < original.IncomingBlocks.Count; i++)
                copy.AddIncoming(blocks[original.IncomingBlocks[i]], Map(original.Operands[i]));

        block.Append(new JumpInstruction(blocks[callee.Entry]) { Location = call.Location });
        if (!call.Type.IsVoid)
        {
            Value result;
            if (returns.Count == 1) result = returns[0].Value!;
            else
            {
                var phi = continuation.InsertPhi(new PhiInstruction(call.Type) { Location = call.Location });
                foreach (var (from, value) in returns) phi.AddIncoming(from, value!);
                result = phi;
            }
            call.ReplaceAllUsesWith(result);
        }
        call.Erase();
        foreach (var b in callee.Blocks)
            if (blocks[b].Predecessors.Count == 0 && b != callee.Entry) caller.RemoveBlock(blocks[b]);
    }
}
