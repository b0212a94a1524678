using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Scalar replacement of aggregates and promotion of stack slots to SSA values
/// ("mem2reg"/"SROA"): a slot accessed only by loads and stores at constant offsets, in pieces that
/// never partly overlap, becomes one SSA variable per piece, with phis placed by the on-the-fly
/// algorithm of Braun et al. ("Simple and Efficient Construction of Static Single Assignment Form",
/// CC 2013) over the finished CFG.</summary>
/// <remarks>
/// A slot whose address is passed to a helper that only reads it (a map key, an update value) is
/// promoted for reads but keeps its stores, so the helper still finds the value in memory: the key
/// of <c>Counts.Lookup(pid)</c> is stored once and <c>pid</c> stays in a register. When only a member
/// of the slot goes to the helper (<c>Peers.Lookup(ip.Destination)</c>, the address plus a constant),
/// only the stores from that member's offset on are kept: the helper reads forward from its pointer,
/// and the other members of a header copied out of a packet need not be copied at all. Any other use
/// of the address (a pointer argument, variable arithmetic, an atomic) keeps the slot in memory. A
/// read before any write gives zero: C# locals start zeroed.
/// </remarks>
public sealed class PromoteMemoryToRegisters : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        foreach (var slot in function.Slots.ToList())
            changed |= TryPromote(function, slot);
        if (changed) PointerTypes.Refine(function);
        return changed;
    }

    readonly record struct Piece(int Offset, int Size);

    sealed class SlotUses
    {
        public readonly List<FrameAddressInstruction> Addresses = new();
        public readonly HashSet<LoadInstruction> Loads = new();
        public readonly HashSet<StoreInstruction> Stores = new();
        public readonly Dictionary<Piece, IrType> Types = new();
        /// <summary>The lowest offset a read-only helper receives a pointer to; bytes from there on stay in memory.</summary>
        public int EscapeFrom = int.MaxValue;
        public bool ReadOnlyEscape => EscapeFrom != int.MaxValue;
    }

    static bool TryPromote(IrFunction function, StackSlot slot)
    {
        var uses = Analyze(function, slot);
        if (uses is null) return false;
        if (uses.Loads.Count == 0 && uses.EscapeFrom == 0) return false;
        bool changed = uses.Loads.Count > 0;

        var replaced = new Dictionary<Value, Value>();
        Value Resolve(Value v)
        {
            while (replaced.TryGetValue(v, out var r)) v = r;
            return v;
        }

        // The last value stored to each piece in each block, for reads at a block's end.
        var lastStore = new Dictionary<(BasicBlock, Piece), StoreInstruction>();
        foreach (var block in function.Blocks)
            foreach (var inst in block.Instructions)
                if (inst is StoreInstruction s && uses.Stores.Contains(s)) lastStore[(block, new Piece(s.Offset, s.Size))] = s;

        var atEntry = new Dictionary<(BasicBlock, Piece), Value>();
        var dom = new DominatorTree(function);

        Value ReadAtEnd(BasicBlock block, Piece piece)
            => lastStore.TryGetValue((block, piece), out var s) ? Resolve(s.StoredValue) : ReadAtEntry(block, piece);

        Value ReadAtEntry(BasicBlock block, Piece piece)
        {
            if (atEntry.TryGetValue((block, piece), out var known)) return Resolve(known);
            var type = uses.Types[piece];
            Value result;
            if (block == function.Entry || !dom.IsReachable(block))
                result = type.IsPointer ? Constant.Null(type) : Constant.Int(type, 0L);
            else if (block.Predecessors.Count == 1)
                result = ReadAtEnd(block.Predecessors[0], piece);
            else
            {
                var phi = block.InsertPhi(new PhiInstruction(type));
                atEntry[(block, piece)] = phi; // before the operands: breaks cycles through loops
                foreach (var pred in block.Predecessors) phi.AddIncoming(pred, ReadAtEnd(pred, piece));
                // Removing a trivial phi can cascade to phis that used it, including the one it was
                // replaced by: resolve through the replacements.
                result = Resolve(RemoveTrivialPhi(phi, replaced));
            }
            atEntry[(block, piece)] = result;
            return Resolve(result);
        }

        foreach (var block in dom.ReversePostOrder)
        {
            var current = new Dictionary<Piece, Value>();
            foreach (var inst in block.Instructions.ToList())
            {
                if (inst is StoreInstruction s && uses.Stores.Contains(s))
                    current[new Piece(s.Offset, s.Size)] = s.StoredValue;
                else if (inst is LoadInstruction l && uses.Loads.Contains(l))
                {
                    var piece = new Piece(l.Offset, l.Size);
                    var value = Resolve(current.TryGetValue(piece, out var v) ? v : ReadAtEntry(block, piece));
                    l.ReplaceAllUsesWith(value);
                    replaced[l] = value;
                    l.Erase();
                }
            }
        }
        // Loads in unreachable blocks read zero; those blocks are removed later anyway.
        foreach (var l in uses.Loads.Where(l => l.Block is not null))
        {
            var value = l.Type.IsPointer ? (Value)Constant.Null(l.Type) : Constant.Int(l.Type, 0L);
            l.ReplaceAllUsesWith(value);
            l.Erase();
        }

        if (!uses.ReadOnlyEscape)
        {
            foreach (var s in uses.Stores) s.Erase();
            foreach (var a in uses.Addresses) a.Erase();
            function.RemoveSlot(slot);
            return true;
        }
        foreach (var s in uses.Stores.Where(s => s.Offset + s.Size <= uses.EscapeFrom))
        {
            s.Erase();
            changed = true;
        }
        return changed;
    }

    /// <summary>Uses of the slot, or null when it cannot be promoted.</summary>
    static SlotUses? Analyze(IrFunction function, StackSlot slot)
    {
        var uses = new SlotUses();
        foreach (var inst in function.Instructions)
            if (inst is FrameAddressInstruction fa && fa.Slot == slot) uses.Addresses.Add(fa);
        foreach (var address in uses.Addresses)
        {
            foreach (var user in address.Users.Distinct())
            {
                switch (user)
                {
                    case LoadInstruction l when l.Address == address:
                        if (!Record(uses, new Piece(l.Offset, l.Size), l.Type)) return null;
                        uses.Loads.Add(l);
                        break;
                    case StoreInstruction s when s.Address == address && s.StoredValue != address:
                        if (!Record(uses, new Piece(s.Offset, s.Size), s.StoredValue.Type)) return null;
                        uses.Stores.Add(s);
                        break;
                    case HelperCallInstruction h when OnlyReadOnlyArguments(h, address):
                        uses.EscapeFrom = 0;
                        break;
                    case PointerAddInstruction { Offset: Constant { Signed: >= 0 } offset } member when member.Pointer == address
                                                                                                     && OnlyReadOnlyHelperUses(member):
                        uses.EscapeFrom = Math.Min(uses.EscapeFrom, (int)Math.Min(offset.Signed, slot.Size));
                        break;
                    default:
                        return null;
                }
            }
        }
        // Pieces must be equal or disjoint: a partial overlap needs the bytes, not values.
        var pieces = uses.Types.Keys.OrderBy(p => p.Offset).ThenBy(p => p.Size).ToList();
        for (int i = 1; i < pieces.Count; i++)
            if (pieces[i].Offset < pieces[i - 1].Offset + pieces[i - 1].Size) return null;
        return uses;
    }

    static bool Record(SlotUses uses, Piece piece, IrType type)
    {
        if (type.StoreSize != piece.Size && !(type.IsPointer && piece.Size == 8)) return false;
        if (!uses.Types.TryGetValue(piece, out var existing))
        {
            uses.Types[piece] = type;
            return true;
        }
        if (existing == type) return true;
        if (existing.IsPointer && type.IsPointer)
        {
            uses.Types[piece] = IrType.Pointer(existing.Pointee == type.Pointee ? existing.Pointee : PointerKind.Unknown);
            return true;
        }
        return false;
    }

    static bool OnlyReadOnlyHelperUses(Value pointer)
        => pointer.Users.All(u => u is HelperCallInstruction h && OnlyReadOnlyArguments(h, pointer));

    static bool OnlyReadOnlyArguments(HelperCallInstruction h, Value address)
    {
        for (int i = 0; i < h.Operands.Count; i++)
            if (h.Operands[i] == address && !h.IsReadOnlyArgument(i)) return false;
        return true;
    }

    /// <summary>Replaces a phi whose inputs are all one value (or itself) by that value, and
    /// re-examines phis that used it (Braun et al., tryRemoveTrivialPhi).</summary>
    internal static Value RemoveTrivialPhi(PhiInstruction phi, Dictionary<Value, Value>? replaced = null)
    {
        Value? same = null;
        foreach (var op in phi.Operands)
        {
            if (op == same || op == phi) continue;
            if (same is not null) return phi;
            same = op;
        }
        same ??= phi.Type.IsPointer ? Constant.Null(phi.Type) : Constant.Int(phi.Type, 0L);
        var users = phi.Users.Where(u => u != phi).Distinct().ToList();
        phi.ReplaceAllUsesWith(same);
        if (replaced is not null) replaced[phi] = same;
        phi.DropOperands();
        phi.Block?.Remove(phi);
        foreach (var user in users.OfType<PhiInstruction>())
            if (user.Block is not null) RemoveTrivialPhi(user, replaced);
        return same;
    }
}

/// <summary>Recomputes the pointer kinds of values derived from other pointers (ptradd, copy, phi)
/// after a pass replaced an operand by a more precise pointer (a loaded ref local by the map value
/// that was stored in it).</summary>
public static class PointerTypes
{
    public static void Refine(IrFunction function)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var inst in function.Instructions)
            {
                IrType? refined = inst switch
                {
                    PointerAddInstruction p when p.Pointer.Type.IsPointer => p.Pointer.Type,
                    CopyInstruction c => c.Source.Type,
                    PhiInstruction { Type.IsPointer: true } phi when phi.Operands.Count > 0 => Join(phi.Operands.Where(o => o is not Constant && o != phi).Select(o => o.Type).ToList(), phi.Type),
                    _ => null,
                };
                if (refined is { } t && t != inst.Type)
                {
                    inst.Type = t;
                    changed = true;
                }
            }
        }
    }

    static IrType Join(List<IrType> types, IrType fallback)
    {
        if (types.Count == 0) return fallback;
        var first = types[0];
        return types.All(t => t == first) ? first : IrType.Pointer(PointerKind.Unknown);
    }
}
