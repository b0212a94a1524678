using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>The compiler's own check of EBPF2107 on optimized IR, behind the source flow rule of the same ID: a load,
/// store or atomic at a constant offset from the packet start (a context load of a packet pointer) that reaches past
/// every bound a dominating comparison with the packet end established. The verifier learns packet bounds only from
/// such comparisons (<c>data + k &gt; data_end</c>), and refuses the access otherwise ("invalid access to packet").
/// <para>Accesses at variable offsets, packet pointers passed in as parameters, and functions that compare a packet
/// pointer at a variable offset with the end are left to the verifier: the check reports only what it reads.</para></summary>
public static class PacketRangeBackstop
{
    /// <summary>The catalog ID of the rule it backs (<c>DiagnosticDescriptors.PacketOutOfRange</c>).</summary>
    public const string Id = "EBPF2107";

    public static IEnumerable<IrFinding> Check(IrFunction function)
    {
        var instructions = function.Blocks.SelectMany(b => b.Instructions).ToList();
        if (!instructions.Any(i => i is LoadInstruction && i.Type is { IsPointer: true, Pointee: PointerKind.Packet })) yield break;

        // The edges on which [start, start + k) is known to be inside the packet, by the block they lead to.
        var bounds = new List<(BasicBlock Safe, long Bytes)>();
        foreach (var block in function.Blocks)
        {
            if (block.Terminator is not BranchInstruction branch || NullTests.Strip(branch.Condition) is not CompareInstruction compare) continue;
            bool leftPacket = IsPacket(compare.Left), rightPacket = IsPacket(compare.Right);
            bool leftEnd = IsPacketEnd(compare.Left), rightEnd = IsPacketEnd(compare.Right);
            if (!(leftPacket && rightEnd) && !(leftEnd && rightPacket)) continue;
            var pointer = leftPacket ? compare.Left : compare.Right;
            if (OffsetFromStart(pointer) is not long k) yield break;  // a variable pointer checked: not read here
            // Normalized to "pointer OP end": which edge says pointer <= end.
            var predicate = leftPacket ? compare.Predicate : Swap(compare.Predicate);
            BasicBlock? safe = predicate switch
            {
                Predicate.UGt or Predicate.SGt or Predicate.UGe or Predicate.SGe => branch.IfFalse,
                Predicate.ULe or Predicate.SLe or Predicate.ULt or Predicate.SLt => branch.IfTrue,
                _ => null,
            };
            if (safe is not null && safe.Predecessors.Count == 1) bounds.Add((safe, k));
        }

        var dominators = new DominatorTree(function);
        foreach (var access in instructions)
        {
            var (address, offset, size) = access switch
            {
                LoadInstruction l => (l.Address, l.Offset, l.Size),
                StoreInstruction s => (s.Address, s.Offset, s.Size),
                AtomicInstruction a => (a.Address, a.Offset, a.Size),
                _ => (null!, 0, 0),
            };
            if (address is null || !IsPacket(address) || OffsetFromStart(address) is not long start) continue;
            if (access.Block is not { } block || !dominators.IsReachable(block)) continue;
            long end = start + offset + size;
            long checkedBytes = bounds.Where(b => dominators.Dominates(b.Safe, block)).Select(b => b.Bytes).DefaultIfEmpty(0).Max();
            if (end <= checkedBytes) continue;
            yield return new IrFinding(Id, access.Location, [IrFinding.ConstructText,
                $"bytes {start + offset}..{end} of the packet, but only {checkedBytes} are checked", $"'if (data + {end} > data_end) return ...;'"]);
        }
    }

    static bool IsPacket(Value v) => v.Type is { IsPointer: true, Pointee: PointerKind.Packet };
    static bool IsPacketEnd(Value v) => v.Type is { IsPointer: true, Pointee: PointerKind.PacketEnd };

    /// <summary>The constant byte offset of <paramref name="pointer"/> from a packet start loaded from the context.</summary>
    static long? OffsetFromStart(Value pointer) => PointerOffsets.FromRoot(pointer, v => v is LoadInstruction && IsPacket(v));

    static Predicate Swap(Predicate p) => p switch
    {
        Predicate.UGt => Predicate.ULt, Predicate.ULt => Predicate.UGt,
        Predicate.UGe => Predicate.ULe, Predicate.ULe => Predicate.UGe,
        Predicate.SGt => Predicate.SLt, Predicate.SLt => Predicate.SGt,
        Predicate.SGe => Predicate.SLe, Predicate.SLe => Predicate.SGe,
        _ => p,
    };
}
