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
/// <c>Volatile.Read</c> loads are never shared. The packet pointers a program loads from its context
/// (<c>data</c>, <c>data_end</c>, <c>data_meta</c>) change only in a helper that moves the packet
/// (the kernel's <c>bpf_helper_changes_pkt_data</c>): in a function that calls none, and no sub-program,
/// each is loaded once however the paths join, as clang keeps <c>data</c> in a register.</remarks>
public sealed class CommonSubexpressionElimination : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        var dom = new DominatorTree(function);
        var table = new Dictionary<string, (Instruction Inst, int Generation)>();
        var ids = new Dictionary<Value, int>(ReferenceEqualityComparer.Instance);
        int generation = 0;
        bool changed = false;
        bool packetStable = !function.Instructions.Any(i => i is FunctionCallInstruction || i is HelperCallInstruction h && ChangesPacketData(h.HelperId));

        void Visit(BasicBlock block)
        {
            var added = new List<(string Key, (Instruction, int)? Previous)>();
            if (block.Predecessors.Count > 1) generation++;
            foreach (var inst in block.Instructions.ToList())
            {
                if (inst.WritesMemory) generation++;
                var key = KeyOf(inst, ids);
                if (key is null) continue;
                bool isLoad = inst is LoadInstruction && !(packetStable && IsPacketPointerLoad(inst));
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

    static bool IsPacketPointerLoad(Instruction inst)
        => inst is LoadInstruction { Address.Type.Pointee: PointerKind.Context, Type: { IsPointer: true, Pointee: PointerKind.Packet or PointerKind.PacketEnd } };

    /// <summary>Helpers after which the verifier forgets packet pointers (bpf_helper_changes_pkt_data, net/core/filter.c):
    /// skb_store_bytes, l3/l4_csum_replace, clone_redirect, skb_vlan_push/pop, skb_change_proto/type, skb_change_tail,
    /// skb_pull_data, skb_change_head, xdp_adjust_head, skb_adjust_room, xdp_adjust_meta, msg_pull_data,
    /// xdp_adjust_tail, lwt_push_encap, lwt_seg6_store_bytes/adjust_srh/action, msg_push/pop_data, store_hdr_opt.</summary>
    static bool ChangesPacketData(int helperId)
        => helperId is 9 or 10 or 11 or 13 or 18 or 19 or 31 or 32 or 38 or 39 or 43 or 44 or 50 or 54 or 63 or 65
            or 73 or 74 or 75 or 76 or 90 or 91 or 143;

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
            KernelVariableAddressInstruction k => $"ksym {k.Name}",
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
