namespace Ebpf;

// The CPU and NUMA node a program runs on; randomness.
public static partial class Bpf
{
    /// <summary>The id of the CPU the program runs on.</summary>
    /// <remarks><c>bpf_get_smp_processor_id</c>, kernel 4.1. Managed: <see cref="BpfEnvironment.ProcessorId"/>.</remarks>
    [BpfHelper(8)] public static uint GetSmpProcessorId() => Env.ProcessorId;

    /// <summary>The NUMA node the program runs on.</summary>
    /// <remarks><c>bpf_get_numa_node_id</c>, kernel 4.10. Managed: <see cref="BpfEnvironment.NumaNodeId"/>.</remarks>
    [BpfHelper(42)] public static long GetNumaNodeId() => Env.NumaNodeId;

    /// <summary>A pseudo-random 32-bit number (not cryptographically secure).</summary>
    /// <remarks><c>bpf_get_prandom_u32</c>, kernel 4.1. Managed: reproducible after <see cref="BpfEnvironment.RandomSeed"/>.</remarks>
    [BpfHelper(7)] public static uint GetPrandomU32() => Env.NextRandom();
}
