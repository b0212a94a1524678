namespace Ebpf.Compiler.Backend;

/// <summary>Removes machine instructions without side effects whose results are never read. Some
/// appear during selection itself: a truncation bypassed by the sign extension that reads it, the
/// old value of an atomic nobody wants.</summary>
public static class MachineDeadCodeElimination
{
    public static bool Run(MachineFunction f)
    {
        bool any = false;
        bool changed = true;
        while (changed)
        {
            changed = false;
            var liveness = Liveness.Compute(f);
            foreach (var b in f.Blocks)
            {
                var live = new HashSet<Reg>(liveness.LiveOut[b]);
                for (int n = b.Instructions.Count - 1; n >= 0; n--)
                {
                    var i = b.Instructions[n];
                    var defs = Liveness.Tracked(i.Defs()).ToList();
                    if (IsPure(i) && defs.Count > 0 && defs.All(d => d.IsVirtual && !live.Contains(d)))
                    {
                        b.Instructions.RemoveAt(n);
                        changed = any = true;
                        continue;
                    }
                    live.ExceptWith(defs);
                    live.UnionWith(Liveness.Tracked(i.Uses()));
                }
            }
        }
        return any;
    }

    static bool IsPure(MInstr i) => i.Op is MOp.Alu or MOp.Mov or MOp.Neg or MOp.ByteSwap or MOp.LoadImm64 or MOp.FrameAddress or MOp.Load;
}
