namespace Ebpf.Compiler.Backend;

/// <summary>Orders a parallel copy (all sources read before any destination is written, as phis
/// require) into sequential moves, breaking cycles with a temporary register.</summary>
public static class ParallelCopy
{
    public static List<(Reg Dst, Reg Src, bool Is32)> Sequentialize(IReadOnlyList<(Reg Dst, Reg Src, bool Is32)> moves, Func<Reg> newTemp)
    {
        var pending = moves.Where(m => m.Dst != m.Src).ToList();
        var result = new List<(Reg, Reg, bool)>();
        while (pending.Count > 0)
        {
            // A move whose destination no other pending move still reads can go now.
            int ready = pending.FindIndex(m => !pending.Any(o => o.Src == m.Dst));
            if (ready >= 0)
            {
                result.Add(pending[ready]);
                pending.RemoveAt(ready);
                continue;
            }
            // Only cycles are left: save one destination's old value and read it from the copy.
            var (dst, _, is32) = pending[0];
            var temp = newTemp();
            result.Add((temp, dst, is32));
            for (int i = 0; i < pending.Count; i++)
                if (pending[i].Src == dst) pending[i] = (pending[i].Dst, temp, pending[i].Is32);
        }
        return result;
    }
}
