using System.Text;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Dominator-based common subexpression elimination (as LLVM's EarlyCSE): walking the
/// dominator tree with a scoped table, an instruction equal to one available in a dominating
/// position is replaced by it. Loads are reused only while no instruction that may write memory
/// ran in between: a memory generation counter grows at every store, call and atomic, and at every
/// block with several predecessors (another path may have written).</summary>
/// <remarks>Reusing the same packet pointer for several bounds checks is what the verifier prefers:
/// all pointers derived from one <c>data</c> load share its id, so one comparison covers them all.
/// Sharing the address of a slot, map or global costs nothing later: instruction selection
/// rematerializes those at each use rather than keeping them in callee-saved registers.
/// <c>Volatile.Read</c> loads are never shared.</remarks>
public sealed class CommonSubexpressionElimination : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        var dom = new DominatorTree(function);
        var table = new Dictionary<string, (Instruction Inst, int Generation)>();
        var ids = new Dictionary<Value, int>(ReferenceEqualityComparer.Instance);
        int generation = 0;
        bool changed = false;

        void Visit(BasicBlock block)
        {
            var added = new List<(string Key, (Instruction, int)? Previous)>();
            if (block.Predecessors.Count > 1) generation++;
            foreach (var inst in block.Instructions.ToList())
            {
                if (inst.WritesMemory) generation++;
                var key = KeyOf(inst, ids);
                if (key is null) continue;
                bool isLoad = inst is LoadInstruction;
                if (table.TryGetValue(key, out var available) && available.Inst.Block is not null
                    && (!isLoad || available.Generation == generation))
                {
                    inst.ReplaceAllUsesWith(available.Inst);
                    inst.Erase();
                    changed = true;
                    continue;
                }
                added.Add((key, table.TryGetValue(key, out var prev) ? prev : null));
                table[key] = (inst, generation);
            }
            foreach (var child in dom.Children(block)) Visit(child);
            for (int i = added.Count - 1; i >= 0; i--)
            {
                if (added[i].Previous is { } p) table[added[i].Key] = p;
                else table.Remove(added[i].Key);
            }
        }

        Visit(function.Entry);
        if (changed) PointerTypes.Refine(function);
        return changed;
    }

    /// <summary>A structural key of a pure instruction (operands by identity, constants by value), or null.</summary>
    static string? KeyOf(Instruction inst, Dictionary<Value, int> ids)
    {
        string? head = inst switch
        {
            BinaryInstruction b => $"bin {b.Op} {b.Type}",
            NegateInstruction n => $"neg {n.Type}",
            ByteSwapInstruction s => $"bswap {s.Bits} {s.Type}",
            CompareInstruction c => $"cmp {c.Predicate}",
            ConvertInstruction c => $"conv {c.Kind} {c.Type}",
            PointerAddInstruction => "ptradd",
            FrameAddressInstruction f => $"frameaddr {f.Slot.Id}",
            GlobalAddressInstruction g => $"globaladdr {g.Section} {g.Offset}",
            MapHandleInstruction m => $"map {m.MapName}",
            LoadInstruction { IsVolatile: false } l => $"load {l.Offset} {l.Size} {l.Type}",
            _ => null,
        };
        if (head is null) return null;
        var sb = new StringBuilder(head);
        foreach (var op in inst.Operands)
        {
            sb.Append(' ');
            if (op is Constant c) sb.Append('#').Append(c.Type).Append(':').Append(c.Bits);
            else
            {
                if (!ids.TryGetValue(op, out int id)) ids[op] = id = ids.Count;
                sb.Append('@').Append(id);
            }
        }
        return sb.ToString();
    }
}
