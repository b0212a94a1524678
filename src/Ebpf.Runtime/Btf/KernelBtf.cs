using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Runtime;

/// <summary>The running kernel's BTF (<c>/sys/kernel/btf/vmlinux</c>), parsed once on first use (about half a second),
/// and the lookups loaders do in it.</summary>
public static class KernelBtf
{
    const string VmlinuxPath = "/sys/kernel/btf/vmlinux";
    static readonly Lazy<BtfSpec> VmlinuxLazy = new(() =>
    {
        if (!File.Exists(VmlinuxPath))
            throw new NotSupportedException($"this kernel exposes no BTF ({VmlinuxPath} is missing: built without CONFIG_DEBUG_INFO_BTF)");
        return BtfSpec.ParseFile(VmlinuxPath);
    });

    public static BtfSpec Vmlinux => VmlinuxLazy.Value;

    /// <summary>The kernel BTF id a program with a BTF attach target (tp_btf, fentry, fexit, fmod_ret, lsm, iter) loads
    /// against (attach_btf_id), found as libbpf finds it: <c>btf_trace_NAME</c> (a TYPEDEF) for tp_btf,
    /// <c>bpf_lsm_NAME</c> for LSM hooks, <c>bpf_iter_NAME</c> for iterators, the FUNC <c>NAME</c> otherwise.</summary>
    public static uint AttachBtfId(AttachType attachType, string target)
    {
        var (prefix, wantTypedef) = attachType switch
        {
            AttachType.TraceRawTp => ("btf_trace_", true),
            AttachType.LsmMac or AttachType.LsmCgroup => ("bpf_lsm_", false),
            AttachType.TraceIter => ("bpf_iter_", false),
            _ => ("", false),
        };
        string name = prefix + target;
        BtfType? found = wantTypedef ? Vmlinux.FindType<BtfTypedef>(name) : Vmlinux.FindType<BtfFunc>(name);
        if (found is null)
            throw new LoadException($"the kernel's BTF has no {(wantTypedef ? "TYPEDEF" : "FUNC")} '{name}' for attach target '{target}' "
                + "(misspelled, or in a kernel module, whose BTF this runtime does not search yet)");
        return (uint)Vmlinux.IdOf(found);
    }
}
