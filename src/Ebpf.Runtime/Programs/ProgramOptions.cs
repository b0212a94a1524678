namespace Ebpf.Runtime;

/// <summary>Verifier log levels for BPF_PROG_LOAD (<c>log_level</c>).</summary>
[Flags]
public enum VerifierLogLevel : uint
{
    /// <summary>No log unless the load fails (then the loader retries with <see cref="Instructions"/>).</summary>
    None = 0,
    /// <summary>Level 1: every instruction simulated, with register states at branches.</summary>
    Instructions = 1,
    /// <summary>Level 2: register states after every instruction (large).</summary>
    Verbose = 2,
    /// <summary>Level 4: statistics only (instructions processed, states, time).</summary>
    Statistics = 4,
}

/// <summary>Options for loading programs.</summary>
public sealed class ProgramOptions
{
    /// <summary>Log to request on the first load attempt and keep in <see cref="Program.VerifierLog"/>. With
    /// <see cref="VerifierLogLevel.None"/> the log is fetched only when the load fails.</summary>
    public VerifierLogLevel LogLevel { get; set; } = VerifierLogLevel.None;

    /// <summary>Initial log buffer size in bytes; grown to the size the kernel reports (log_true_size) when too small.</summary>
    public int LogSize { get; set; } = 1 << 20;
}
