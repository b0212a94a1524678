namespace Ebpf;

// CONTRACT (signatures): every kernel helper is a static method named by dropping bpf_ and
// PascalCasing, with [BpfHelper(id)] from enum bpf_func_id (ids: /usr/include/bpf/bpf_helper_defs.h).
// Safe overloads (Span<byte>, ref/out of unmanaged types) carry the same id: the compiler passes the
// span's pointer and length (or the variable's address and size) as the pointer/size arguments.
// The helpers are split by topic: Bpf.Process.cs, Bpf.Time.cs, Bpf.Memory.cs, ...

/// <summary>The kernel's BPF helper functions.</summary>
/// <remarks>In a compiled program each call is a <c>call</c> instruction to the helper with the id in
/// <see cref="BpfHelperAttribute"/>. In managed code each has an implementation over the simulated kernel
/// of <see cref="BpfEnvironment.Current"/>, so probe logic runs in unit tests.</remarks>
public static unsafe partial class Bpf
{
    static BpfEnvironment Env => BpfEnvironment.Current;
}
