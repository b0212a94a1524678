namespace Ebpf.Runtime;

/// <summary>Who applies an object's CO-RE relocations.</summary>
public enum CoreRelocationMode
{
    /// <summary>This runtime, in user space, against <see cref="CoreOptions.KernelBtfPath"/> or the running kernel's BTF
    /// (and its modules' BTF), as libbpf does: works on every kernel with BTF (5.2+) or with a BTF file for it.</summary>
    UserSpace,
    /// <summary>The kernel, during BPF_PROG_LOAD (<c>core_relos</c>, Linux 5.17+): no kernel BTF parsing in the process.</summary>
    Kernel,
}

/// <summary>How CO-RE relocations (the <c>.BTF.ext</c> records of <c>preserve_access_index</c> accesses) are resolved.</summary>
public sealed class CoreOptions
{
    /// <summary>Who relocates; user space by default.</summary>
    public CoreRelocationMode Mode { get; set; } = CoreRelocationMode.UserSpace;

    /// <summary>A BTF file describing the kernel the programs will run on, used instead of <c>/sys/kernel/btf/vmlinux</c>:
    /// for kernels built without CONFIG_DEBUG_INFO_BTF (a BTFHub file, or one extracted from the kernel image) or to
    /// check what a program would become on another kernel. Kernel module BTF is not searched then.</summary>
    public string? KernelBtfPath { get; set; }

    /// <summary>Search kernel modules' BTF (<c>/sys/kernel/btf/&lt;module&gt;</c>) for types vmlinux lacks; on by default.</summary>
    public bool SearchModules { get; set; } = true;
}
