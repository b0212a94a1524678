using System.Reflection;
using Ebpf.Compiler.Checks;
using Ebpf.Compiler.Codegen;
using Ebpf.Rules;

namespace Ebpf.Compiler.Tests.Pipeline;

/// <summary>After the frontend the compiler works on plain data: the stages that follow it (IR, passes, backend, IR
/// checks, BTF types, object assembly) are the assembly Ebpf.Compiler.Backend, which references neither Roslyn nor the
/// Roslyn-based rules, so none of its types can hold, take or return a Roslyn symbol.</summary>
public class PlainBackendTests
{
    static Assembly Backend => typeof(CompiledFunction).Assembly;

    [Fact]
    public void The_backend_assembly_does_not_reference_Roslyn()
    {
        Assert.Equal("Ebpf.Compiler.Backend", Backend.GetName().Name);
        Assert.Same(Backend, typeof(IR.IrFunction).Assembly);
        Assert.Same(Backend, typeof(Output.ObjectAssembler).Assembly);
        var references = Backend.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.DoesNotContain("Ebpf.Rules", references);
    }

    /// <summary>The backend names the rules its IR checks back by ID; the catalog (in the Roslyn-based rules) stays the
    /// one table of those IDs.</summary>
    [Fact]
    public void Each_IR_check_backs_its_rule_of_the_catalog()
    {
        Assert.Equal(NullCheckBackstop.Id, DiagnosticDescriptors.UncheckedPointer.Id);
        Assert.Equal(PacketRangeBackstop.Id, DiagnosticDescriptors.PacketOutOfRange.Id);
        Assert.Equal(UnreleasedReferenceBackstop.Id, DiagnosticDescriptors.UnreleasedRecord.Id);
        Assert.Equal(TracepointCommonFieldBackstop.Id, DiagnosticDescriptors.TracepointCommonField.Id);
        Assert.Equal(4, IrChecks.Ids.Distinct().Count());
    }
}
