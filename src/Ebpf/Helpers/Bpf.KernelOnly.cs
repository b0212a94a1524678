namespace Ebpf;

public static partial class Bpf
{
    /// <summary>The exception a kernel-only helper (one without a managed simulation) throws when called from .NET.</summary>
    static NotSupportedException KernelOnly(string helper) =>
        new($"{helper} runs only inside a compiled eBPF program; the managed simulation has no implementation of it.");
}
