using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Backend;

/// <summary>Frame offsets for the IR's stack slots, shared between slots whose lifetimes are disjoint, so the
/// temporaries of forty map updates take the room of one instead of adding up.</summary>
/// <remarks>
/// <para>A slot is accessed wherever a pointer derived from its <c>frameaddr</c> (through pointer arithmetic,
/// copies, phis, conversions, call results) is used. Its memory must keep its bytes at a point when an access
/// may come before it on some path and another after it on some path, so its lifetime is the set of points
/// both reached from an access and reaching one (an over-approximation of liveness: safe to share
/// outside it). Within a block that set is one interval, so two slots interfere when their intervals meet
/// in some block. A slot whose address is stored to memory escapes: it lives everywhere.</para>
/// <para>Offsets are then given greedily, largest slot first, at the lowest offset whose bytes no
/// interfering slot already holds.</para>
/// </remarks>
public static class StackSlotColoring
{
    /// <summary>The offset (negative, from R10) of every slot of <paramref name="function"/>, and the frame size they need.</summary>
    public static (IReadOnlyDictionary<StackSlot, int> Offsets, int Size) Color(IrFunction function)
    {
        var slots = function.Slots.ToList();
        var index = function.Blocks.Select((b, i) => (b, i)).ToDictionary(p => p.b, p => p.i);
        var lifetimes = slots.ToDictionary(s => s, s => Lifetime(function, s, index));

        var placed = new List<(StackSlot Slot, int Start, int End)>(); // byte range [Start, End) below R10
        var offsets = new Dictionary<StackSlot, int>();
        int size = 0;
        foreach (var slot in slots.OrderByDescending(s => s.Size).ThenBy(s => s.Id))
        {
            int alignment = Math.Min(8, Math.Max(1, slot.Alignment));
            var busy = placed.Where(p => lifetimes[slot].Interferes(lifetimes[p.Slot])).ToList();
            // The slot takes the bytes [end - size, end) below R10 (offset -end, aligned); the lowest end that
            // no interfering slot's bytes overlap.
            int start = 0, end;
            while (true)
            {
                end = Align(start + slot.Size, alignment);
                int low = end - slot.Size;
                var clash = busy.FirstOrDefault(p => p.Start < end && low < p.End);
                if (clash.Slot is null) { start = low; break; }
                start = clash.End;
            }
            placed.Add((slot, start, end));
            offsets[slot] = -end;
            size = Math.Max(size, end);
        }
        return (offsets, size);
    }

    static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    /// <summary>Per block (by layout index), the instruction interval [First, Last] in which the slot is live; or everywhere.</summary>
    sealed class SlotLifetime(Dictionary<int, (int First, int Last)> intervals, bool everywhere)
    {
        Dictionary<int, (int First, int Last)> Intervals { get; } = intervals;
        bool Everywhere { get; } = everywhere;

        public bool Interferes(SlotLifetime other)
        {
            if (Everywhere || other.Everywhere) return true;
            foreach (var (block, (first, last)) in Intervals)
                if (other.Intervals.TryGetValue(block, out var o) && first <= o.Last && o.First <= last) return true;
            return false;
        }
    }

    static SlotLifetime Lifetime(IrFunction function, StackSlot slot, Dictionary<BasicBlock, int> index)
    {
        // The instructions that access the slot's memory: every user of a pointer derived from its address.
        var derived = new HashSet<Value>();
        var accesses = new HashSet<Instruction>();
        var work = new Stack<Value>();
        foreach (var address in function.Instructions.OfType<FrameAddressInstruction>().Where(f => f.Slot == slot))
        {
            accesses.Add(address);
            if (derived.Add(address)) work.Push(address);
        }
        bool escapes = false;
        while (work.Count > 0)
        {
            var value = work.Pop();
            foreach (var user in value.Users)
            {
                accesses.Add(user);
                if (user is StoreInstruction store && ReferenceEquals(store.StoredValue, value)) escapes = true;
                bool carriesPointer = user switch
                {
                    LoadInstruction or StoreInstruction or CompareInstruction or HelperCallInstruction or Terminator => false,
                    AtomicInstruction => false,
                    _ => !user.Type.IsVoid,
                };
                if (carriesPointer && derived.Add(user)) work.Push(user);
            }
        }
        if (escapes) return new SlotLifetime(new(), everywhere: true);

        var blocks = function.Blocks;
        var accessed = new bool[blocks.Count];
        var first = new int[blocks.Count];
        var last = new int[blocks.Count];
        foreach (var i in accesses)
        {
            if (i.Block is not { } block) continue;
            int b = index[block];
            int at = IndexIn(block, i);
            if (!accessed[b]) { accessed[b] = true; first[b] = last[b] = at; }
            else { first[b] = Math.Min(first[b], at); last[b] = Math.Max(last[b], at); }
        }

        // Forward: an access may precede the block's start. Backward: an access may follow the block's end.
        var reachedIn = new bool[blocks.Count];
        var reachesOut = new bool[blocks.Count];
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int b = 0; b < blocks.Count; b++)
            {
                bool inValue = blocks[b].Predecessors.Any(p => accessed[index[p]] || reachedIn[index[p]]);
                if (inValue && !reachedIn[b]) { reachedIn[b] = true; changed = true; }
                bool outValue = blocks[b].Successors.Any(s => accessed[index[s]] || reachesOut[index[s]]);
                if (outValue && !reachesOut[b]) { reachesOut[b] = true; changed = true; }
            }
        }

        var intervals = new Dictionary<int, (int, int)>();
        for (int b = 0; b < blocks.Count; b++)
        {
            int end = blocks[b].Instructions.Count;
            if (accessed[b])
                intervals[b] = (reachedIn[b] ? 0 : first[b], reachesOut[b] ? end : last[b]);
            else if (reachedIn[b] && reachesOut[b])
                intervals[b] = (0, end);
        }
        return new SlotLifetime(intervals, everywhere: false);
    }

    static int IndexIn(BasicBlock block, Instruction instruction)
    {
        var list = block.Instructions;
        for (int i = 0; i < list.Count; i++)
            if (ReferenceEquals(list[i], instruction)) return i;
        return 0;
    }
}
