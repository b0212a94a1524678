using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Removes stores to stack slots that are overwritten or that die with the frame before
/// anything reads them, by backward liveness of slot bytes. It cleans up what promotion must keep
/// for slots whose address goes to a helper: a struct cleared and then filled field by field before
/// <c>Update</c> reads it keeps only the final stores.</summary>
/// <remarks>A load reads the bytes it covers; a call or atomic that receives the slot's address
/// reads all of it (helpers never keep stack pointers beyond the call), and one that receives the
/// address plus a constant (a member passed as a map key) reads from there to the slot's end. Slots
/// whose address is offset by a variable or stored somewhere are left alone.</remarks>
public sealed class DeadStoreElimination : FunctionPass
{
    /// <summary>The bytes of one slot that a later instruction may read (slots are at most 512 bytes).</summary>
    sealed class LiveBytes(int size)
    {
        readonly bool[] _bytes = new bool[size];

        public bool Overlaps(int start, int end)
        {
            for (int i = Math.Max(0, start); i < Math.Min(end, _bytes.Length); i++)
                if (_bytes[i]) return true;
            return false;
        }

        public void Add(int start, int end)
        {
            for (int i = Math.Max(0, start); i < Math.Min(end, _bytes.Length); i++) _bytes[i] = true;
        }

        public void Kill(int start, int end)
        {
            for (int i = Math.Max(0, start); i < Math.Min(end, _bytes.Length); i++) _bytes[i] = false;
        }

        public void AddAll() => Add(0, _bytes.Length);

        public bool UnionWith(LiveBytes other)
        {
            bool changed = false;
            for (int i = 0; i < _bytes.Length; i++)
                if (other._bytes[i] && !_bytes[i]) { _bytes[i] = true; changed = true; }
            return changed;
        }
    }

    public override bool Run(IrFunction function)
    {
        bool changed = false;
        foreach (var slot in function.Slots.ToList())
            changed |= Run(function, slot);
        return changed;
    }

    static bool Run(IrFunction function, StackSlot slot)
    {
        var addresses = function.Instructions.OfType<FrameAddressInstruction>().Where(f => f.Slot == slot).ToHashSet();
        var members = new Dictionary<Value, int>();   // address + constant, passed to calls: the offset
        foreach (var address in addresses)
            foreach (var user in address.Users)
            {
                bool understood = user switch
                {
                    LoadInstruction l => l.Address == address,
                    StoreInstruction s => s.Address == address && s.StoredValue != address,
                    HelperCallInstruction or FunctionCallInstruction or AtomicInstruction => true,
                    PointerAddInstruction { Offset: Constant { Signed: >= 0 } offset } member when member.Pointer == address
                        && member.Users.All(u => u is HelperCallInstruction or FunctionCallInstruction)
                        => RecordMember(member, offset.Signed),
                    _ => false,
                };
                if (!understood) return false;
            }

        bool RecordMember(Value member, long offset)
        {
            members[member] = (int)Math.Min(offset, slot.Size);
            return true;
        }

        // Backward dataflow: bytes of the slot live at the start of each block.
        var liveIn = function.Blocks.ToDictionary(b => b, _ => new LiveBytes(slot.Size));
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int n = function.Blocks.Count - 1; n >= 0; n--)
            {
                var block = function.Blocks[n];
                var live = LiveOut(block, liveIn, slot.Size);
                Transfer(block, live, addresses, members, dead: null);
                changed |= liveIn[block].UnionWith(live);
            }
        }

        var deadStores = new List<StoreInstruction>();
        foreach (var block in function.Blocks)
            Transfer(block, LiveOut(block, liveIn, slot.Size), addresses, members, deadStores);
        foreach (var store in deadStores) store.Erase();
        return deadStores.Count > 0;
    }

    static LiveBytes LiveOut(BasicBlock block, Dictionary<BasicBlock, LiveBytes> liveIn, int size)
    {
        var live = new LiveBytes(size);
        foreach (var s in block.Successors) live.UnionWith(liveIn[s]);
        return live;
    }

    /// <summary>Walks a block backwards from <paramref name="live"/> (its live-out), collecting dead stores if asked.</summary>
    static void Transfer(BasicBlock block, LiveBytes live, HashSet<FrameAddressInstruction> addresses, Dictionary<Value, int> members,
                         List<StoreInstruction>? dead)
    {
        for (int i = block.Instructions.Count - 1; i >= 0; i--)
        {
            switch (block.Instructions[i])
            {
                case StoreInstruction s when s.Address is FrameAddressInstruction f && addresses.Contains(f):
                    if (!live.Overlaps(s.Offset, s.Offset + s.Size)) dead?.Add(s);
                    else live.Kill(s.Offset, s.Offset + s.Size);
                    break;
                case LoadInstruction l when l.Address is FrameAddressInstruction f && addresses.Contains(f):
                    live.Add(l.Offset, l.Offset + l.Size);
                    break;
                case PointerAddInstruction member when members.ContainsKey(member):
                    break; // its calls read
                case var inst when inst.Operands.Any(o => o is FrameAddressInstruction f && addresses.Contains(f)):
                    live.AddAll(); // a call or an atomic may read any byte
                    break;
                case var inst when inst.Operands.Any(members.ContainsKey):
                    foreach (var o in inst.Operands)
                        if (members.TryGetValue(o, out int from)) live.Add(from, int.MaxValue);
                    break;
            }
        }
    }
}
