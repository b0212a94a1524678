using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime;

/// <summary>Kernel functions a program calls as kfuncs (<c>extern ... __ksym</c>), found in the running kernel's BTF
/// as libbpf finds them: the FUNC of that name, whose prototype must be compatible with the object's declaration
/// (libbpf's <c>bpf_core_types_are_compat</c>: a forward-declared struct where the kernel has the struct is not).</summary>
internal static class KernelFunctions
{
    /// <summary>The kernel BTF id of <paramref name="name"/> for the call at <paramref name="where"/>.</summary>
    public static uint IdOf(string name, BtfSpec? objectBtf, string where)
    {
        var kernel = KernelBtf.Vmlinux;
        var function = kernel.FindTypes<BtfFunc>(name).FirstOrDefault()
            ?? throw new LoadException($"{where} calls kernel function '{name}', which this kernel's BTF does not have "
                + "(a kfunc of a newer kernel, or of a kernel module, whose BTF this runtime does not search for kfuncs)");
        var declared = objectBtf?.FindTypes<BtfFunc>(name).FirstOrDefault(f => f.Linkage == BtfFuncLinkage.Extern);
        if (declared is not null && !CoreCompatibility.TypesAreCompatible(declared.Proto, function.Proto))
            throw new LoadException($"{where} calls kernel function '{name}' declared as {Describe(declared.Proto)}, "
                + $"which does not match the kernel's {Describe(function.Proto)} (declare it with the kernel's types, e.g. from vmlinux.h)");
        return (uint)kernel.IdOf(function);
    }

    static string Describe(BtfFuncProto proto)
        => $"{TypeName(proto.ReturnType)} ({string.Join(", ", proto.Parameters.Select(p => TypeName(p.Type)))})";

    static string TypeName(BtfType type) => type switch
    {
        BtfPointer p => TypeName(p.Target) + " *",
        BtfVoid => "void",
        BtfForward f => $"{(f.IsUnion ? "union" : "struct")} {f.Name} (forward declaration)",
        BtfStruct s => $"{(s.IsUnion ? "union" : "struct")} {s.Name}",
        BtfQualifier q => TypeName(q.Target),
        _ => type.Name ?? type.ToString(),
    };
}
