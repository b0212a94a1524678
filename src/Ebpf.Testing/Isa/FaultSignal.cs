namespace Ebpf.Testing.Isa;

/// <summary>Raised by memory and helpers below the executor, which adds the instruction and source location and
/// rethrows it as an <see cref="InterpreterFault"/>.</summary>
internal sealed class FaultSignal(FaultKind kind, string detail, ulong? address = null, string? region = null) : Exception(detail)
{
    public FaultKind Kind { get; } = kind;
    public ulong? Address { get; } = address;
    public string? Region { get; } = region;
}
