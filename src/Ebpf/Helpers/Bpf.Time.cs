namespace Ebpf;

// Clocks.
public static partial class Bpf
{
    /// <summary>CLOCK_MONOTONIC in nanoseconds (time since boot, excluding suspend).</summary>
    /// <remarks><c>bpf_ktime_get_ns</c>, kernel 4.1. Managed: <see cref="BpfEnvironment.MonotonicNs"/>.</remarks>
    [BpfHelper(5)] public static ulong KtimeGetNs() => Env.MonotonicNs;

    /// <summary>CLOCK_BOOTTIME in nanoseconds (time since boot, including suspend).</summary>
    /// <remarks><c>bpf_ktime_get_boot_ns</c>, kernel 5.8. Managed: <see cref="BpfEnvironment.BootNs"/>.</remarks>
    [BpfHelper(125)] public static ulong KtimeGetBootNs() => Env.BootNs;

    /// <summary>CLOCK_MONOTONIC_COARSE in nanoseconds: cheaper, with tick resolution.</summary>
    /// <remarks><c>bpf_ktime_get_coarse_ns</c>, kernel 5.11. Managed: <see cref="BpfEnvironment.MonotonicNs"/> rounded down to a tick.</remarks>
    [BpfHelper(160)]
    public static ulong KtimeGetCoarseNs()
    {
        ulong tick = 1_000_000_000UL / Env.Hz;
        return Env.MonotonicNs / tick * tick;
    }

    /// <summary>CLOCK_TAI in nanoseconds (international atomic time).</summary>
    /// <remarks><c>bpf_ktime_get_tai_ns</c>, kernel 6.1. Managed: <see cref="BpfEnvironment.MonotonicNs"/> + <see cref="BpfEnvironment.TaiOffsetNs"/>.</remarks>
    [BpfHelper(208)] public static ulong KtimeGetTaiNs() => Env.MonotonicNs + Env.TaiOffsetNs;

    /// <summary>The 64-bit jiffies counter.</summary>
    /// <remarks><c>bpf_jiffies64</c>, kernel 5.5. Managed: <see cref="BpfEnvironment.Jiffies"/>.</remarks>
    [BpfHelper(118)] public static ulong Jiffies64() => Env.Jiffies;
}
