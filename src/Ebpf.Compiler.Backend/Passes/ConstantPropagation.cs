using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Folds instructions whose operands are constants and propagates the results through the
/// SSA use-lists with a worklist, so a constant reaches every use in one run (the non-conditional
/// half of Wegman and Zadeck's SCCP; branches on constants are left to <see cref="SimplifyCfg"/>).
/// Folding uses <see cref="ConstantFolder"/>, i.e. the semantics of the emitted BPF code.</summary>
public sealed class ConstantPropagation : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        var work = new Queue<Instruction>(function.Instructions);
        var queued = new HashSet<Instruction>(work);
        while (work.Count > 0)
        {
            var inst = work.Dequeue();
            queued.Remove(inst);
            if (inst.Block is null) continue;
            Value? constant = inst is PhiInstruction phi ? SameConstant(phi) : ConstantFolder.TryFold(inst);
            if (constant is null) continue;
            foreach (var user in inst.Users.Distinct().ToList())
                if (queued.Add(user)) work.Enqueue(user);
            inst.ReplaceAllUsesWith(constant);
            inst.Erase();
            changed = true;
        }
        return changed;
    }

    /// <summary>The constant all inputs of a phi agree on (ignoring the phi itself), if any.</summary>
    static Constant? SameConstant(PhiInstruction phi)
    {
        Constant? same = null;
        foreach (var op in phi.Operands)
        {
            if (op == phi) continue;
            if (op is not Constant c) return null;
            if (same is null) same = c;
            else if (same.Bits != c.Bits) return null;
        }
        return same is null ? null : same.Type == phi.Type ? same : phi.Type.IsPointer ? Constant.Null(phi.Type) : Constant.Int(phi.Type, same.Bits);
    }
}
