using Ebpf.Btf;
using Ebpf.Btf.Core;

namespace Ebpf.Runtime;

/// <summary>Kernel functions a program calls as kfuncs (<c>extern ... __ksym</c>), found as libbpf finds them: the FUNC of
/// that name in vmlinux's BTF, else in a loaded module's (<see cref="KernelModuleBtf"/>), whose prototype must be
/// compatible with the object's declaration (libbpf's <c>bpf_core_types_are_compat</c>: a forward-declared struct where the
/// kernel has the struct is not).</summary>
internal static class KernelFunctions
{
    /// <summary>A kfunc found in the kernel's BTF: its type id there, and the module whose BTF has it (null: vmlinux).</summary>
    public readonly record struct Found(uint Id, string? Module);

    /// <summary>The kfunc <paramref name="name"/> for the call at <paramref name="where"/> in the running kernel.</summary>
    public static Found Find(string name, BtfSpec? objectBtf, string where)
        => Find(name, objectBtf, where, KernelBtf.Vmlinux, KernelModuleBtf.Loaded.Select(m => (m.Name, (Func<BtfSpec>)(() => m.Spec))));

    /// <summary>The kfunc <paramref name="name"/> in <paramref name="vmlinux"/>, else in the first of <paramref name="modules"/>
    /// (split BTF on top of it, parsed only when searched) that has it.</summary>
    public static Found Find(string name, BtfSpec? objectBtf, string where, BtfSpec vmlinux, IEnumerable<(string Name, Func<BtfSpec> Btf)> modules)
    {
        BtfSpec? owner = null;
        string? module = null;
        var function = vmlinux.FindTypes<BtfFunc>(name).FirstOrDefault();
        if (function is not null) owner = vmlinux;
        else
        {
            foreach (var (moduleName, btf) in modules)
            {
                var spec = btf();
                // Split BTF resolves names through the base too: only a FUNC of the module's own ids counts.
                function = spec.FindTypes<BtfFunc>(name).FirstOrDefault(f => spec.IdOf(f) >= vmlinux.Types.Count);
                if (function is null) continue;
                (owner, module) = (spec, moduleName);
                break;
            }
        }
        if (function is null || owner is null)
            throw new LoadException($"{where} calls kernel function '{name}', which neither this kernel's BTF nor a loaded module's has "
                + "(a kfunc of a newer kernel, or of a module that is not loaded)");
        var declared = objectBtf?.FindTypes<BtfFunc>(name).FirstOrDefault(f => f.Linkage == BtfFuncLinkage.Extern);
        if (declared is not null && !CoreCompatibility.TypesAreCompatible(declared.Proto, function.Proto))
            throw new LoadException($"{where} calls kernel function '{name}' declared as {Describe(declared.Proto)}, "
                + $"which does not match the kernel's {Describe(function.Proto)} (declare it with the kernel's types, e.g. from vmlinux.h)");
        return new Found((uint)owner.IdOf(function), module);
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
