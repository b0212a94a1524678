namespace Ebpf.Compiler.IR;

/// <summary>Block orders of a function's control-flow graph.</summary>
public static class BlockOrder
{
    /// <summary>Reachable blocks in reverse postorder from the entry (every block before its
    /// successors, except along back edges). Successors are visited last to first, so a block's
    /// first successor (a branch's true side, a loop's body) comes right after it.</summary>
    public static List<BasicBlock> ReversePostOrder(IrFunction function)
    {
        var visited = new HashSet<BasicBlock>();
        var post = new List<BasicBlock>();
        // Iterative DFS: (block, next successor index).
        var stack = new Stack<(BasicBlock Block, int Next)>();
        stack.Push((function.Entry, 0));
        visited.Add(function.Entry);
        while (stack.Count > 0)
        {
            var (block, next) = stack.Pop();
            var succs = block.Successors;
            if (next < succs.Count)
            {
                stack.Push((block, next + 1));
                var s = succs[succs.Count - 1 - next];
                if (visited.Add(s)) stack.Push((s, 0));
            }
            else post.Add(block);
        }
        post.Reverse();
        return post;
    }
}

/// <summary>Immediate dominators of the reachable blocks (Cooper, Harvey and Kennedy, "A Simple,
/// Fast Dominance Algorithm", 2001).</summary>
public sealed class DominatorTree
{
    readonly Dictionary<BasicBlock, BasicBlock> _idom = new();
    readonly Dictionary<BasicBlock, int> _rpoIndex = new();
    readonly Dictionary<BasicBlock, List<BasicBlock>> _children = new();

    public DominatorTree(IrFunction function)
    {
        ReversePostOrder = BlockOrder.ReversePostOrder(function);
        for (int i = 0; i < ReversePostOrder.Count; i++) _rpoIndex[ReversePostOrder[i]] = i;
        var entry = function.Entry;
        _idom[entry] = entry;
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var b in ReversePostOrder)
            {
                if (b == entry) continue;
                BasicBlock? newIdom = null;
                foreach (var p in b.Predecessors)
                {
                    if (!_idom.ContainsKey(p)) continue;
                    newIdom = newIdom is null ? p : Intersect(p, newIdom);
                }
                if (newIdom is not null && (!_idom.TryGetValue(b, out var old) || old != newIdom))
                {
                    _idom[b] = newIdom;
                    changed = true;
                }
            }
        }
        foreach (var b in ReversePostOrder) _children[b] = new List<BasicBlock>();
        foreach (var b in ReversePostOrder)
            if (b != entry) _children[_idom[b]].Add(b);
    }

    /// <summary>Reachable blocks in reverse postorder.</summary>
    public IReadOnlyList<BasicBlock> ReversePostOrder { get; }

    public bool IsReachable(BasicBlock b) => _rpoIndex.ContainsKey(b);

    public BasicBlock? ImmediateDominator(BasicBlock b) => _idom.TryGetValue(b, out var d) && d != b ? d : null;

    public IReadOnlyList<BasicBlock> Children(BasicBlock b) => _children.TryGetValue(b, out var c) ? c : Array.Empty<BasicBlock>();

    public bool Dominates(BasicBlock a, BasicBlock b)
    {
        if (!IsReachable(b)) return true;
        for (var x = b; ; x = _idom[x])
        {
            if (x == a) return true;
            if (_idom[x] == x) return false;
        }
    }

    /// <summary>Whether instruction <paramref name="def"/> is available at <paramref name="use"/> (strictly before it in the same block, or in a dominating block).</summary>
    public bool Dominates(Instruction def, Instruction use)
    {
        var db = def.Block!;
        var ub = use.Block!;
        if (db != ub) return Dominates(db, ub);
        var list = db.Instructions;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == def) return true;
            if (list[i] == use) return false;
        }
        return false;
    }

    BasicBlock Intersect(BasicBlock a, BasicBlock b)
    {
        while (a != b)
        {
            while (_rpoIndex[a] > _rpoIndex[b]) a = _idom[a];
            while (_rpoIndex[b] > _rpoIndex[a]) b = _idom[b];
        }
        return a;
    }
}
