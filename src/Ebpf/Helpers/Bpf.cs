namespace Ebpf;

// CONTRACT (signatures): every kernel helper is a static method named by dropping bpf_ and
// PascalCasing, with [BpfHelper(id)] from enum bpf_func_id. The kernel-API helper completes the list
// and the managed behaviour.

/// <summary>The kernel's BPF helper functions.</summary>
public static unsafe partial class Bpf
{
    /// <summary>bpf_get_current_pid_tgid: <c>tgid &lt;&lt; 32 | pid</c> of the current task.</summary>
    [BpfHelper(14)] public static ulong GetCurrentPidTgid() => throw new NotImplementedException();
    /// <summary>bpf_ktime_get_ns: monotonic time in nanoseconds.</summary>
    [BpfHelper(5)] public static ulong KtimeGetNs() => throw new NotImplementedException();
    [BpfHelper(8)] public static uint GetSmpProcessorId() => throw new NotImplementedException();
    [BpfHelper(16)] public static long GetCurrentComm(byte* buf, uint size) => throw new NotImplementedException();
    [BpfHelper(113)] public static long ProbeReadKernel(void* dst, uint size, void* unsafePtr) => throw new NotImplementedException();
    [BpfHelper(114)] public static long ProbeReadUserStr(byte* dst, uint size, void* unsafePtr) => throw new NotImplementedException();
}
