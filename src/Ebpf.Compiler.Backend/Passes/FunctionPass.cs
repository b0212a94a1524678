using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Passes;

/// <summary>One transformation of an IR function. Each pass has one job and reports whether it
/// changed anything, so the pipeline can iterate the cleanup passes to a fixed point.</summary>
public abstract class FunctionPass
{
    /// <summary>The name shown in dumps (<c>after ConstantPropagation</c>).</summary>
    public virtual string Name => GetType().Name;

    public abstract bool Run(IrFunction function);
}
