using Ebpf.Abi;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

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
    public static IEnumerable<Diagnostic> Check(IrFunction function, Compilation compilation)
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
                var location = LocationOf(access, compilation, out string text);
                yield return Diagnostic.Create(DiagnosticDescriptors.UncheckedPointer, location, text, $"the result of {result.Name}",
                    "test it first on every path to this use: 'if (Unsafe.IsNullRef(ref v)) return ...;'");
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
            if (!DependsOn(branch.Condition, result, depth: 0)) continue;
            if (!TryReadNullTest(branch.Condition, result, out bool trueMeansNonNull)) return false;
            var safe = trueMeansNonNull ? branch.IfTrue : branch.IfFalse;
            if (safe.Predecessors.Count == 1) nonNull.Add(safe);
        }
        return true;
    }

    /// <summary><c>result ==/!= NULL</c>, possibly negated by a comparison of that with false.</summary>
    static bool TryReadNullTest(Value condition, Instruction result, out bool trueMeansNonNull)
    {
        trueMeansNonNull = false;
        if (Strip(condition) is not CompareInstruction { Predicate: Predicate.Eq or Predicate.Ne } compare) return false;
        bool equal = compare.Predicate == Predicate.Eq;
        if (Strip(compare.Right) is Constant { IsZero: true } && Strip(compare.Left) is var left)
        {
            if (left == result) { trueMeansNonNull = !equal; return true; }
            // (result == NULL) == false, as `!Unsafe.IsNullRef(ref x)` may read.
            if (TryReadNullTest(left, result, out bool inner)) { trueMeansNonNull = equal ? !inner : inner; return true; }
        }
        if (Strip(compare.Left) is Constant { IsZero: true } && Strip(compare.Right) == result) { trueMeansNonNull = !equal; return true; }
        return false;
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

    static bool DependsOn(Value value, Instruction result, int depth)
    {
        if (value == result) return true;
        if (depth > 8 || value is not Instruction instruction || instruction is PhiInstruction) return false;
        return instruction.Operands.Any(o => DependsOn(o, result, depth + 1));
    }

    static Value Strip(Value value)
    {
        while (value is CopyInstruction copy || value is ConvertInstruction { Kind: ConversionKind.PointerCast or ConversionKind.ZeroExtend or ConversionKind.Truncate })
            value = ((Instruction)value).Operands[0];
        return value;
    }

    /// <summary>The C# construct the access was lowered from (its line info), and its text.</summary>
    static Location LocationOf(Instruction access, Compilation compilation, out string text)
    {
        text = access.Location?.LineText.Trim() ?? "";
        if (access.Location is not { } source) return Location.None;
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == source.FilePath);
        if (tree is null) return Location.None;
        var lines = tree.GetText().Lines;
        if (source.Line < 1 || source.Line > lines.Count) return Location.None;
        var line = lines[source.Line - 1];
        int position = Math.Min(line.Start + Math.Max(0, source.Column - 1), line.End);
        var node = tree.GetRoot().FindToken(position).Parent;
        if (node is null) return Location.Create(tree, new TextSpan(position, 0));
        text = node.ToString();
        return node.GetLocation();
    }
}
