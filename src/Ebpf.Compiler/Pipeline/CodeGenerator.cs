using Ebpf.Compiler.Codegen;

namespace Ebpf.Compiler.Pipeline;

/// <summary>The default <see cref="IFunctionCompiler"/>: the code generator <c>Ebpf.Compiler.Codegen.FunctionCompiler</c>.</summary>
static class CodeGenerator
{
    public static IFunctionCompiler Create()
    {
        // Resolved by name while the code generator is developed alongside the driver.
        var type = typeof(CodeGenerator).Assembly.GetType("Ebpf.Compiler.Codegen.FunctionCompiler")
            ?? throw new InvalidOperationException("the code generator (Ebpf.Compiler.Codegen.FunctionCompiler) is not part of this build");
        return (IFunctionCompiler)Activator.CreateInstance(type)!;
    }
}
