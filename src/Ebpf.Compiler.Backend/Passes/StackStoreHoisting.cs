using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Moves a store into a stack slot up to just after the instruction computing its value, when a
/// call lies between them: the value goes to the stack before the call instead of living across it in a
/// callee-saved register (or a spill). A struct built for a helper (<c>Switches.Output(new SwitchEvent { ... })</c>)
/// is then written field by field as its values arrive, as clang writes it.</summary>
/// <remarks>The store moves over instructions that neither read nor write its bytes: within its block, or into the
/// block defining the value when all accesses to the slot are in the store's block. Slots whose address is used other
/// than by loads, stores and calls (directly or plus a constant) stay as they are.</remarks>
public sealed class StackStoreHoisting : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        var addresses = function.Instructions.OfType<FrameAddressInstruction>().ToList();
        var bySlot = addresses.GroupBy(a => a.Slot).ToDictionary(g => g.Key, g => g.ToList());
        var movable = bySlot.Where(kv => kv.Value.All(SimpleAddress)).Select(kv => kv.Key).ToHashSet();
        bool changed = false;
        foreach (var block in function.Blocks)
        {
            foreach (var store in block.Instructions.OfType<StoreInstruction>().ToList())
            {
                if (store.Address is not FrameAddressInstruction { Slot: var slot } || !movable.Contains(slot)) continue;
                if (store.StoredValue is not Instruction { Block: { } home } definition) continue;
                if (home != block && !MayLeaveBlock(store, bySlot[slot], RunsAgainWithout(block, home))) continue;
                // In the definition's block after it, and in the store's block before it: a call, and nothing touching the bytes.
                int from = definition is PhiInstruction ? home.Phis.Count() - 1 : IndexOf(home.Instructions, definition);
                var between = home == block
                    ? Range(block.Instructions, from + 1, IndexOf(block.Instructions, store))
                    : Range(home.Instructions, from + 1, home.Instructions.Count).Concat(Range(block.Instructions, 0, IndexOf(block.Instructions, store)));
                bool crossesCall = false, blocked = false;
                foreach (var inst in between)
                {
                    crossesCall |= inst is HelperCallInstruction or FunctionCallInstruction;
                    blocked |= Touches(inst, slot, store.Offset, store.Offset + store.Size);
                }
                if (blocked || !crossesCall) continue;
                var position = home.Instructions[from];
                var address = home.InsertAfter(new FrameAddressInstruction(slot) { Location = store.Location }, position);
                home.InsertAfter(new StoreInstruction(address, store.Offset, store.StoredValue, store.Size) { Location = store.Location }, address);
                store.Erase();
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>A store may move to an earlier block when nothing outside the store's block may read its bytes (no
    /// other path sees the early value) and nothing else writes them: no other store, and, when the store's block can
    /// run again without the earlier block (a loop around it), no call given the slot's address either, since a callee
    /// may write there (a by-value struct parameter is the callee's to assign, a helper may fill a buffer) and the next
    /// round would then start from what it wrote instead of the stored value.</summary>
    static bool MayLeaveBlock(StoreInstruction store, List<FrameAddressInstruction> addresses, bool blockRunsAgain)
    {
        bool Overlaps(int offset, int size) => offset < store.Offset + store.Size && store.Offset < offset + size;
        bool SameBlockNonWriter(Instruction user) => user.Block == store.Block
            && !(blockRunsAgain && user is HelperCallInstruction or FunctionCallInstruction);
        foreach (var address in addresses)
            foreach (var user in address.Users)
            {
                bool allowed = user switch
                {
                    _ when user == store => true,
                    StoreInstruction other => !Overlaps(other.Offset, other.Size),
                    LoadInstruction load => user.Block == store.Block || !Overlaps(load.Offset, load.Size),
                    PointerAddInstruction p => p.Users.All(SameBlockNonWriter),
                    _ => SameBlockNonWriter(user),
                };
                if (!allowed) return false;
            }
        return true;
    }

    /// <summary>Whether control can come back to <paramref name="block"/> without passing through <paramref name="home"/>.</summary>
    static bool RunsAgainWithout(BasicBlock block, BasicBlock home)
    {
        var seen = new HashSet<BasicBlock>();
        var work = new Stack<BasicBlock>(block.Successors);
        while (work.TryPop(out var next))
        {
            if (next == block) return true;
            if (next == home || !seen.Add(next)) continue;
            foreach (var successor in next.Successors) work.Push(successor);
        }
        return false;
    }

    static IEnumerable<Instruction> Range(IReadOnlyList<Instruction> list, int start, int end)
    {
        for (int i = start; i < end; i++) yield return list[i];
    }

    static int IndexOf(IReadOnlyList<Instruction> list, Instruction inst)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == inst) return i;
        return -1;
    }

    /// <summary>An address used only as the address of loads and stores, as a call argument, or plus a constant for calls.</summary>
    static bool SimpleAddress(FrameAddressInstruction address) => address.Users.All(u => u switch
    {
        LoadInstruction l => l.Address == address,
        StoreInstruction s => s.Address == address && s.StoredValue != address,
        HelperCallInstruction or FunctionCallInstruction => true,
        PointerAddInstruction { Offset: Constant } p => p.Pointer == address && p.Users.All(pu => pu is HelperCallInstruction or FunctionCallInstruction),
        _ => false,
    });

    /// <summary>Whether <paramref name="inst"/> may read or write bytes [start, end) of the slot.</summary>
    static bool Touches(Instruction inst, StackSlot slot, int start, int end) => inst switch
    {
        LoadInstruction { Address: FrameAddressInstruction f } l when f.Slot == slot => l.Offset < end && start < l.Offset + l.Size,
        StoreInstruction { Address: FrameAddressInstruction f } s when f.Slot == slot => s.Offset < end && start < s.Offset + s.Size,
        _ => inst.Operands.Any(o => o is FrameAddressInstruction f && f.Slot == slot
                                    || o is PointerAddInstruction { Pointer: FrameAddressInstruction pf } && pf.Slot == slot),
    };
}
