using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>Replaces the uses of a copy by its source: explicit copies (the inliner binds parameters
/// with them) and phis whose inputs are all one value (left by inlining and CFG simplification).</summary>
public sealed class CopyPropagation : FunctionPass
{
    public override bool Run(IrFunction function)
    {
        bool changed = false;
        foreach (var inst in function.Instructions.ToList())
        {
            if (inst.Block is null) continue;
            switch (inst)
            {
                case CopyInstruction copy:
                    copy.ReplaceAllUsesWith(copy.Source);
                    copy.Erase();
                    changed = true;
                    break;
                case PhiInstruction phi:
                    if (PromoteMemoryToRegisters.RemoveTrivialPhi(phi) != phi) changed = true;
                    break;
            }
        }
        if (changed) PointerTypes.Refine(function);
        return changed;
    }
}
