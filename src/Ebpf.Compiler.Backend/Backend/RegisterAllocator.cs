using Ebpf.Asm;

namespace Ebpf.Compiler.Backend;

/// <summary>Graph-coloring register allocation (Chaitin-Briggs with optimistic coloring) over
/// R0-R9, with conservative coalescing of copies (Briggs' test between virtual registers, George's
/// test against a physical register) and biased color choice.</summary>
/// <remarks>
/// The BPF calling convention is modelled in the interference graph, not special-cased: a call
/// defines R0-R5, so every value live across a call interferes with them and lands in R6-R9
/// (callee-saved); arguments and results are copies to and from R1-R5 and R0, which coalescing
/// usually removes. When the graph cannot be colored the cheapest registers are spilled to 8-byte
/// stack slots (an 8-byte spill keeps a pointer's type for the verifier; constants and addresses are
/// rematerialized instead), and allocation starts over. The result is an assignment; the
/// instructions themselves are rewritten by <see cref="Rewrite"/>.
/// </remarks>
public static class RegisterAllocator
{
    const int K = 10; // R0-R9

    /// <summary>Order of preference for a fresh color: caller-saved first, so R6-R9 stay free for values live across calls.</summary>
    static readonly int[] ColorOrder = { 1, 2, 3, 4, 5, 0, 6, 7, 8, 9 };

    /// <summary>Assigns a physical register to every virtual register of <paramref name="f"/>, inserting spill code as needed.</summary>
    public static Dictionary<Reg, Reg> Allocate(MachineFunction f)
    {
        var unspillable = new HashSet<Reg>();
        for (int round = 0; ; round++)
        {
            if (round > 50) throw new InvalidOperationException("register allocation did not converge");
            var graph = InterferenceGraph.Build(f);
            var coloring = new Coloring(graph, f, unspillable);
            if (coloring.Run(out var assignment, out var spilled)) return assignment;
            SpillRewriter.Spill(f, spilled, unspillable);
        }
    }

    /// <summary>Replaces virtual registers by their assigned physical registers and drops the copies
    /// that became <c>rX = rX</c>.</summary>
    public static void Rewrite(MachineFunction f, IReadOnlyDictionary<Reg, Reg> assignment)
    {
        foreach (var b in f.Blocks)
        {
            foreach (var i in b.Instructions) i.Rename(r => r.IsVirtual ? assignment[r] : r);
            b.Instructions.RemoveAll(i => i.IsCopy && i.Op == MOp.Mov && i.Dst == i.Src);
        }
    }

    sealed class Coloring(InterferenceGraph graph, MachineFunction f, HashSet<Reg> unspillable)
    {
        readonly Dictionary<Reg, Reg> _alias = new();

        Reg Find(Reg r)
        {
            while (_alias.TryGetValue(r, out var a)) r = a;
            return r;
        }

        int Degree(Reg r) => r.IsPhysical ? int.MaxValue : graph.Neighbors(r).Count;

        public bool Run(out Dictionary<Reg, Reg> assignment, out List<Reg> spilled)
        {
            Coalesce();
            var nodes = graph.Nodes.Where(n => n.IsVirtual && Find(n) == n).ToList();
            var degree = nodes.ToDictionary(n => n, n => graph.Neighbors(n).Count);
            var removed = new HashSet<Reg>();
            var stack = new Stack<Reg>();
            var cost = SpillCosts();
            while (removed.Count < nodes.Count)
            {
                var candidate = nodes.Where(n => !removed.Contains(n) && degree[n] < K).OrderBy(n => n.Id).FirstOrDefault(Reg.None);
                if (!candidate.IsValid)
                {
                    // Potential spill: the cheapest per neighbor, pushed optimistically (Briggs).
                    candidate = nodes.Where(n => !removed.Contains(n))
                        .OrderBy(n => cost.GetValueOrDefault(n) / Math.Max(1, degree[n])).ThenBy(n => n.Id).First();
                }
                removed.Add(candidate);
                stack.Push(candidate);
                foreach (var m in graph.Neighbors(candidate))
                    if (m.IsVirtual && degree.ContainsKey(m) && !removed.Contains(m)) degree[m]--;
            }

            var color = new Dictionary<Reg, int>();
            spilled = new List<Reg>();
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                var taken = new HashSet<int>();
                foreach (var m in graph.Neighbors(n))
                {
                    if (m.IsPhysical) taken.Add(m.Id);
                    else if (color.TryGetValue(m, out int c)) taken.Add(c);
                }
                int chosen = -1;
                foreach (var preferred in Preferences(n, color))
                    if (!taken.Contains(preferred)) { chosen = preferred; break; }
                if (chosen < 0)
                    foreach (var c in ColorOrder)
                        if (!taken.Contains(c)) { chosen = c; break; }
                if (chosen < 0) spilled.Add(n);
                else color[n] = chosen;
            }

            assignment = new Dictionary<Reg, Reg>();
            if (spilled.Count > 0)
            {
                // Spill every register of a spilled coalesced class (they share one slot).
                var classes = spilled.ToHashSet();
                spilled = graph.Registers.Where(n => n.IsVirtual && classes.Contains(Find(n))).ToList();
                if (spilled.All(unspillable.Contains))
                    throw new InvalidOperationException("register allocation: only spill temporaries left to spill (more than ten values live at once)");
                spilled.RemoveAll(unspillable.Contains);
                return false;
            }
            foreach (var n in graph.Registers.Where(n => n.IsVirtual))
            {
                var rep = Find(n);
                assignment[n] = rep.IsPhysical ? rep : Reg.Physical(color[rep]);
            }
            return true;
        }

        /// <summary>Colors of the registers this one is copied to or from (biased coloring).</summary>
        IEnumerable<int> Preferences(Reg n, Dictionary<Reg, int> color)
        {
            foreach (var (a, b) in graph.Moves)
            {
                Reg other;
                if (Find(a) == n) other = Find(b);
                else if (Find(b) == n) other = Find(a);
                else continue;
                if (other.IsPhysical && other != Reg.R10) yield return other.Id;
                else if (color.TryGetValue(other, out int c)) yield return c;
            }
        }

        /// <summary>Conservative coalescing: merge two copy-related registers that do not interfere when
        /// the merged node is still colorable (Briggs), or when every neighbour of the virtual register
        /// already conflicts with the physical one or has low degree (George).</summary>
        void Coalesce()
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var (dst, src) in graph.Moves)
                {
                    var a = Find(dst);
                    var b = Find(src);
                    if (a == b || a.IsPhysical && b.IsPhysical || a == Reg.R10 || b == Reg.R10) continue;
                    if (graph.Interferes(a, b)) continue;
                    if (b.IsPhysical) (a, b) = (b, a); // a: the representative (physical when there is one)
                    bool ok = a.IsPhysical
                        ? graph.Neighbors(b).All(t => t.IsPhysical || Degree(t) < K || graph.Interferes(t, a))
                        : graph.Neighbors(a).Union(graph.Neighbors(b)).Count(t => Degree(t) >= K) < K;
                    if (!ok) continue;
                    graph.Merge(a, b);
                    _alias[b] = a;
                    changed = true;
                }
            }
        }

        /// <summary>Uses and definitions of each class, weighted by 10 per enclosing loop; spill temporaries are never chosen.</summary>
        Dictionary<Reg, double> SpillCosts()
        {
            var depth = LoopDepths(f);
            var cost = new Dictionary<Reg, double>();
            foreach (var b in f.Blocks)
            {
                double weight = Math.Pow(10, depth[b]);
                foreach (var i in b.Instructions)
                    foreach (var r in i.Uses().Concat(i.Defs()))
                        if (r.IsVirtual) cost[Find(r)] = cost.GetValueOrDefault(Find(r)) + weight;
            }
            foreach (var r in unspillable) cost[Find(r)] = double.PositiveInfinity;
            return cost;
        }
    }

    /// <summary>Loop nesting of each block, from back edges in layout order (blocks are in reverse postorder).</summary>
    static Dictionary<MBlock, int> LoopDepths(MachineFunction f)
    {
        var index = f.Blocks.Select((b, i) => (b, i)).ToDictionary(x => x.b, x => x.i);
        var depth = f.Blocks.ToDictionary(b => b, _ => 0);
        foreach (var b in f.Blocks)
            foreach (var s in b.Successors)
                if (index[s] <= index[b])
                    for (int i = index[s]; i <= index[b]; i++) depth[f.Blocks[i]]++;
        return depth;
    }
}

/// <summary>The interference graph of one allocation round: physical R0-R9 and the virtual registers,
/// plus the copies between registers (coalescing candidates).</summary>
public sealed class InterferenceGraph
{
    readonly Dictionary<Reg, HashSet<Reg>> _adjacent = new();
    readonly HashSet<(Reg, Reg)> _edges = new();

    public List<(Reg Dst, Reg Src)> Moves { get; } = new();
    /// <summary>The nodes still in the graph (coalesced ones are merged into their representative).</summary>
    public IEnumerable<Reg> Nodes => _adjacent.Keys;
    /// <summary>Every register the function mentions, including those merged away by coalescing.</summary>
    public HashSet<Reg> Registers { get; } = new();

    public IReadOnlyCollection<Reg> Neighbors(Reg r) => _adjacent.TryGetValue(r, out var s) ? s : (IReadOnlyCollection<Reg>)Array.Empty<Reg>();

    public bool Interferes(Reg a, Reg b) => a.IsPhysical && b.IsPhysical ? a != b : _edges.Contains((a, b));

    void Node(Reg r)
    {
        if (_adjacent.ContainsKey(r)) return;
        _adjacent[r] = new HashSet<Reg>();
        Registers.Add(r);
    }

    void AddEdge(Reg a, Reg b)
    {
        if (a == b || a.IsPhysical && b.IsPhysical) return;
        Node(a);
        Node(b);
        if (_edges.Add((a, b)))
        {
            _edges.Add((b, a));
            _adjacent[a].Add(b);
            _adjacent[b].Add(a);
        }
    }

    /// <summary>Merges <paramref name="b"/> into <paramref name="a"/> (coalescing).</summary>
    public void Merge(Reg a, Reg b)
    {
        foreach (var t in Neighbors(b).ToList())
        {
            _adjacent[t].Remove(b);
            _edges.Remove((t, b));
            _edges.Remove((b, t));
            AddEdge(a, t);
        }
        _adjacent.Remove(b);
    }

    public static InterferenceGraph Build(MachineFunction f)
    {
        var g = new InterferenceGraph();
        for (int r = 0; r <= 9; r++) g.Node(Reg.Physical(r));
        var liveness = Liveness.Compute(f);
        var entryLive = liveness.LiveIn[f.Blocks[0]].Where(r => r.IsVirtual || r.Id is 0 or > 5).ToList();
        if (entryLive.Count > 0)
            throw new InvalidOperationException($"register allocation: {string.Join(", ", entryLive)} read before being written");
        foreach (var b in f.Blocks)
        {
            var live = new HashSet<Reg>(liveness.LiveOut[b]);
            for (int n = b.Instructions.Count - 1; n >= 0; n--)
            {
                var i = b.Instructions[n];
                var defs = Liveness.Tracked(i.Defs()).ToList();
                var uses = Liveness.Tracked(i.Uses()).ToList();
                foreach (var r in defs.Concat(uses)) g.Node(r);
                if (i.IsCopy && i.HasSrcReg && i.Src != Reg.R10)
                {
                    // A copy does not make its source and destination interfere.
                    live.Remove(i.Src);
                    g.Moves.Add((i.Dst, i.Src));
                }
                foreach (var d in defs)
                    foreach (var l in live)
                        g.AddEdge(d, l);
                live.ExceptWith(defs);
                live.UnionWith(uses);
            }
        }
        return g;
    }
}

/// <summary>Spill code: every use of a spilled register reads it back from its 8-byte slot into a
/// fresh short-lived register, every definition writes it out. A register defined once by a
/// constant, an <c>ld_imm64</c> or a frame address is recomputed at each use instead.</summary>
public static class SpillRewriter
{
    public static void Spill(MachineFunction f, IReadOnlyList<Reg> spilled, HashSet<Reg> unspillable)
    {
        var defs = new Dictionary<Reg, List<MInstr>>();
        foreach (var b in f.Blocks)
            foreach (var i in b.Instructions)
                foreach (var d in i.Defs())
                    if (d.IsVirtual) (defs.TryGetValue(d, out var l) ? l : defs[d] = new List<MInstr>()).Add(i);

        var remat = new Dictionary<Reg, MInstr>();
        var slots = new Dictionary<Reg, short>();
        foreach (var r in spilled)
        {
            if (defs.TryGetValue(r, out var list) && list.Count == 1 && list[0] is { Op: MOp.LoadImm64 or MOp.FrameAddress } or { Op: MOp.Mov, HasSrcReg: false })
                remat[r] = list[0];
        }
        // Registers of one coalesced class may share a slot; one slot each is simpler and as correct.
        foreach (var r in spilled)
            if (!remat.ContainsKey(r)) slots[r] = checked((short)f.Frame.AllocateSpill());

        foreach (var b in f.Blocks)
        {
            var result = new List<MInstr>();
            // A spilled value just loaded or computed is still in its temporary for the next
            // instruction: no reload there, and no store between the two halves of a two-address
            // operation (d = a; d += b) that redefines it.
            var carried = new Dictionary<Reg, Reg>();
            for (int n = 0; n < b.Instructions.Count; n++)
            {
                var i = b.Instructions[n];
                if (remat.ContainsValue(i) && i.Defs().Any(remat.ContainsKey)) { carried.Clear(); continue; } // recomputed at each use
                var used = i.Uses().Where(spilled.Contains).Distinct().ToList();
                var defined = i.Defs().Where(spilled.Contains).Distinct().ToList();
                var temps = new Dictionary<Reg, Reg>();
                foreach (var r in used.Union(defined))
                {
                    if (carried.TryGetValue(r, out var t)) { temps[r] = t; continue; }
                    temps[r] = f.NewVirtual();
                    unspillable.Add(temps[r]);
                    if (!used.Contains(r)) continue;
                    if (remat.TryGetValue(r, out var def)) result.Add(def.With(temps[r], def.Src));
                    else result.Add(new MInstr { Op = MOp.Load, Dst = temps[r], Src = Reg.R10, Off = slots[r], Size = MemSize.DW, Location = i.Location });
                }
                i.Rename(r => temps.TryGetValue(r, out var t) ? t : r);
                result.Add(i);
                var next = n + 1 < b.Instructions.Count ? b.Instructions[n + 1] : null;
                foreach (var r in defined)
                {
                    bool redefinedNext = next is not null && next.Defs().Contains(r) && next.Uses().Contains(r);
                    if (!redefinedNext)
                        result.Add(new MInstr { Op = MOp.Store, Dst = Reg.R10, Off = slots[r], Src = temps[r], Size = MemSize.DW, Location = i.Location });
                }
                carried = i.Op == MOp.Call ? new Dictionary<Reg, Reg>() : temps;
            }
            b.Instructions.Clear();
            b.Instructions.AddRange(result);
        }
    }
}
