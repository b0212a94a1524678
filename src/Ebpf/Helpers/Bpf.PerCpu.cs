namespace Ebpf;

// Per-CPU kernel variables ([Ksym] fields of a per-CPU variable's type).
public static unsafe partial class Bpf
{
    /// <summary>This CPU's instance of the per-CPU kernel variable <paramref name="percpuVariable"/> (a <c>[Ksym]</c>
    /// field), read-only.</summary>
    /// <remarks><c>bpf_this_cpu_ptr(&amp;runqueues)</c>, kernel 5.10: the argument is the variable itself (its
    /// BPF_PSEUDO_BTF_ID address), not a copy. Kernel only.</remarks>
    [BpfHelper(154)]
    public static T* ThisCpuPtr<T>(in T percpuVariable) where T : unmanaged => throw KernelOnly("bpf_this_cpu_ptr");

    /// <summary>CPU <paramref name="cpu"/>'s instance of the per-CPU kernel variable <paramref name="percpuVariable"/>
    /// (a <c>[Ksym]</c> field), read-only; null when <paramref name="cpu"/> is not a possible CPU.</summary>
    /// <remarks><c>bpf_per_cpu_ptr(&amp;runqueues, cpu)</c>, kernel 5.10. Test the result for null before reading
    /// through it (the verifier refuses arithmetic on it before). Kernel only.</remarks>
    [BpfHelper(153)]
    public static T* PerCpuPtr<T>(in T percpuVariable, uint cpu) where T : unmanaged => throw KernelOnly("bpf_per_cpu_ptr");

    /// <summary>The kernel's C form of <see cref="ThisCpuPtr{T}(in T)"/>: <paramref name="percpuPtr"/> is a per-CPU pointer
    /// the verifier knows as one (PTR_TO_PERCPU_BTF_ID).</summary>
    /// <remarks><c>void *bpf_this_cpu_ptr(const void *percpu_ptr)</c>, kernel 5.10. Kernel only.</remarks>
    [BpfHelper(154)]
    public static void* ThisCpuPtr(void* percpuPtr) => throw KernelOnly("bpf_this_cpu_ptr");

    /// <summary>The kernel's C form of <see cref="PerCpuPtr{T}(in T, uint)"/>.</summary>
    /// <remarks><c>void *bpf_per_cpu_ptr(const void *percpu_ptr, u32 cpu)</c>, kernel 5.10. Kernel only.</remarks>
    [BpfHelper(153)]
    public static void* PerCpuPtr(void* percpuPtr, uint cpu) => throw KernelOnly("bpf_per_cpu_ptr");
}
