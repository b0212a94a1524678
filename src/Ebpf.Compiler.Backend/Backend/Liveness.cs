namespace Ebpf.Compiler.Backend;

/// <summary>Registers live into and out of each machine block (backward dataflow to a fixed point).
/// R10, the read-only frame pointer, is never tracked.</summary>
public sealed class Liveness
{
    public Dictionary<MBlock, HashSet<Reg>> LiveIn { get; } = new();
    public Dictionary<MBlock, HashSet<Reg>> LiveOut { get; } = new();

    public static Liveness Compute(MachineFunction f)
    {
        var result = new Liveness();
        var gen = new Dictionary<MBlock, HashSet<Reg>>();
        var kill = new Dictionary<MBlock, HashSet<Reg>>();
        foreach (var b in f.Blocks)
        {
            var g = new HashSet<Reg>();
            var k = new HashSet<Reg>();
            foreach (var i in b.Instructions)
            {
                foreach (var u in Tracked(i.Uses())) if (!k.Contains(u)) g.Add(u);
                foreach (var d in Tracked(i.Defs())) k.Add(d);
            }
            gen[b] = g;
            kill[b] = k;
            result.LiveIn[b] = new HashSet<Reg>(g);
            result.LiveOut[b] = new HashSet<Reg>();
        }
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int n = f.Blocks.Count - 1; n >= 0; n--)
            {
                var b = f.Blocks[n];
                var outSet = result.LiveOut[b];
                foreach (var s in b.Successors) outSet.UnionWith(result.LiveIn[s]);
                var inSet = new HashSet<Reg>(outSet);
                inSet.ExceptWith(kill[b]);
                inSet.UnionWith(gen[b]);
                if (!inSet.SetEquals(result.LiveIn[b]))
                {
                    result.LiveIn[b] = inSet;
                    changed = true;
                }
            }
        }
        return result;
    }

    public static IEnumerable<Reg> Tracked(IEnumerable<Reg> regs) => regs.Where(r => r.IsValid && r != Reg.R10);
}
