namespace Ebpf.Compiler.IR;

/// <summary>A natural loop: its header (a block that dominates a predecessor, the back edge's source) and the blocks
/// that reach a back edge without passing the header, the header included.</summary>
public sealed record NaturalLoop(BasicBlock Header, IReadOnlySet<BasicBlock> Body)
{
    /// <summary>The natural loops of a function, headers in reverse postorder (outer loops before the loops they hold).</summary>
    public static List<NaturalLoop> Of(DominatorTree dom)
    {
        var loops = new List<NaturalLoop>();
        foreach (var header in dom.ReversePostOrder)
        {
            var latches = header.Predecessors.Where(p => dom.Dominates(header, p)).ToList();
            if (latches.Count == 0) continue;
            var body = new HashSet<BasicBlock> { header };
            var work = new Stack<BasicBlock>(latches);
            while (work.Count > 0)
            {
                var b = work.Pop();
                if (!body.Add(b)) continue;
                foreach (var p in b.Predecessors) work.Push(p);
            }
            loops.Add(new NaturalLoop(header, body));
        }
        return loops;
    }
}
