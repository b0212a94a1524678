using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime;

/// <summary>Kernel variables a program takes the address of as typed ksyms (<c>extern const struct rq runqueues __ksym;</c>),
/// found in the running kernel's BTF as libbpf finds them (<c>bpf_object__resolve_ksym_var_btf_id</c>): the VAR of that
/// name, whose type must be compatible with the object's declaration (<c>bpf_core_types_are_compat</c> after qualifiers
/// and typedefs: for a struct, the same kind).</summary>
internal static class KernelVariables
{
    /// <summary>The vmlinux BTF id of the VAR <paramref name="name"/> for the reference at <paramref name="where"/>.</summary>
    public static uint IdOf(string name, BtfSpec? objectBtf, string where)
    {
        var kernel = KernelBtf.Vmlinux;
        var variable = kernel.FindTypes<BtfVar>(name).FirstOrDefault()
            ?? throw new LoadException($"{where} reads kernel variable '{name}', which this kernel's BTF does not have "
                + "(a variable of another kernel version or configuration, or of a kernel module, whose BTF this runtime does not search)");
        var declared = objectBtf?.FindTypes<BtfVar>(name).FirstOrDefault(v => v.Linkage == BtfVarLinkage.GlobalExtern);
        if (declared is not null && !CoreCompatibility.TypesAreCompatible(BtfLayout.SkipQualifiers(declared.Type), BtfLayout.SkipQualifiers(variable.Type)))
            throw new LoadException($"{where} reads kernel variable '{name}' declared as {Describe(declared.Type)}, "
                + $"which does not match the kernel's {Describe(variable.Type)} (declare it with the kernel's type, e.g. from ebpf gen vmlinux)");
        return (uint)kernel.IdOf(variable);
    }

    static string Describe(BtfType type) => BtfLayout.SkipQualifiers(type) switch
    {
        BtfStruct s => $"{(s.IsUnion ? "union" : "struct")} {s.Name}",
        BtfForward f => $"{(f.IsUnion ? "union" : "struct")} {f.Name} (forward declaration)",
        var t => t.Name ?? t.GetType().Name,
    };
}
