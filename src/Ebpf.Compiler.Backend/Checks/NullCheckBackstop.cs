using Ebpf.Abi;
using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>The compiler's own check of EBPF2106 on optimized IR, behind the source flow rule of the same ID: a load,
/// store or atomic through the result of a helper that may return NULL (<see cref="HelperInfo.ResultMayBeNull"/>:
/// map lookups, ring-buffer reservations, socket and storage lookups), at a point no non-NULL test of that result
/// dominates. The verifier refuses exactly that ("invalid mem access 'map_value_or_null'"). It sees what the source
/// rule cannot: code after inlining, and checks that the optimizer moved or dropped.
/// <para>It only reports what it understands. A result that flows through a phi, or that is tested by any condition
/// other than <c>== NULL</c> / <c>!= NULL</c>, is left to the verifier, so the check has no false positives of its
/// own making.</para></summary>
public static class NullCheckBackstop
{
    /// <summary>The catalog ID of the rule it backs (<c>DiagnosticDescriptors.UncheckedPointer</c>).</summary>
    public const string Id = "EBPF2106";

    public static IEnumerable<IrFinding> Check(IrFunction function)
    {
        var nullable = function.Blocks.SelectMany(b => b.Instructions).OfType<HelperCallInstruction>()
            .Where(c => HelperTable.Find(c.HelperId)?.ResultMayBeNull == true).ToList();
        if (nullable.Count == 0) yield break;
        var dominators = new DominatorTree(function);

        foreach (var result in nullable)
        {
            if (!TryFindNonNullEdges(function, result, out var nonNullBlocks)) continue;
            foreach (var access in Dereferences(result))
            {
                if (access.Block is not { } block || !dominators.IsReachable(block)) continue;
                if (nonNullBlocks.Any(safe => dominators.Dominates(safe, block))) continue;
                yield return new IrFinding(Id, access.Location, [IrFinding.ConstructText, $"the result of {result.Name}",
                    "test it first on every path to this use: 'if (Unsafe.IsNullRef(ref v)) return ...;'"]);
            }
        }
    }

    /// <summary>The blocks entered only when <paramref name="result"/> is not NULL: the non-NULL successor of each
    /// branch on <c>result == NULL</c> or <c>result != NULL</c>, when that branch is its only way in. False when
    /// some other condition tests the result (the verifier may still see a check there).</summary>
    static bool TryFindNonNullEdges(IrFunction function, Instruction result, out List<BasicBlock> nonNull)
    {
        nonNull = new List<BasicBlock>();
        foreach (var block in function.Blocks)
        {
            if (block.Terminator is not BranchInstruction branch) continue;
            if (!NullTests.DependsOn(branch.Condition, result, depth: 0)) continue;
            if (!NullTests.TryRead(branch.Condition, result, out bool trueMeansNonNull)) return false;
            var safe = trueMeansNonNull ? branch.IfTrue : branch.IfFalse;
            if (safe.Predecessors.Count == 1) nonNull.Add(safe);
        }
        return true;
    }

    /// <summary>Loads, stores and atomics whose address is <paramref name="result"/> plus offsets.</summary>
    static IEnumerable<Instruction> Dereferences(Instruction result)
    {
        var pending = new Stack<Value>();
        var seen = new HashSet<Value>();
        pending.Push(result);
        while (pending.Count > 0)
        {
            var pointer = pending.Pop();
            if (!seen.Add(pointer)) continue;
            foreach (var user in pointer.Users)
            {
                switch (user)
                {
                    case LoadInstruction load when load.Address == pointer: yield return load; break;
                    case StoreInstruction store when store.Address == pointer: yield return store; break;
                    case AtomicInstruction atomic when atomic.Address == pointer: yield return atomic; break;
                    case PointerAddInstruction add when add.Pointer == pointer: pending.Push(add); break;
                    case CopyInstruction copy: pending.Push(copy); break;
                    case ConvertInstruction { Kind: ConversionKind.PointerCast } cast: pending.Push(cast); break;
                }
            }
        }
    }
}
