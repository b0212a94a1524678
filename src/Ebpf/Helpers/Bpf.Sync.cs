using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>A spin lock inside a map value (struct bpf_spin_lock): <see cref="Bpf.SpinLock(ref BpfSpinLock)"/>
/// and <see cref="Bpf.SpinUnlock(ref BpfSpinLock)"/> guard the value's other fields.</summary>
/// <remarks>Kernel 5.1. One per map value, at the top level of the value struct; the verifier allows no helper
/// calls while it is held and requires the unlock on every path. Update with <see cref="MapUpdate.Lock"/> needs one.</remarks>
[StructLayout(LayoutKind.Sequential, Size = 4)]
public struct BpfSpinLock
{
    internal int State;
}

// Synchronization.
public static partial class Bpf
{
    /// <summary>Takes the spin lock.</summary>
    /// <remarks><c>bpf_spin_lock(&amp;lock)</c>, kernel 5.1. Managed: a real spin lock.</remarks>
    [BpfHelper(93)]
    public static long SpinLock(ref BpfSpinLock spinLock)
    {
        var spinner = new SpinWait();
        while (Interlocked.CompareExchange(ref spinLock.State, 1, 0) != 0) spinner.SpinOnce();
        return 0;
    }

    /// <summary>Releases the spin lock.</summary>
    /// <remarks><c>bpf_spin_unlock(&amp;lock)</c>, kernel 5.1.</remarks>
    [BpfHelper(94)]
    public static long SpinUnlock(ref BpfSpinLock spinLock)
    {
        if (Interlocked.Exchange(ref spinLock.State, 0) == 0)
            throw new InvalidOperationException("bpf_spin_unlock of a lock that is not held (the verifier rejects this).");
        return 0;
    }
}
