using Microsoft.CodeAnalysis;

namespace Ebpf.Rules;

// Source-level verifier rules of the flow analysis (analyzers/Ebpf.Rules/Flow): EBPF2103, EBPF2106-EBPF2199.
// Each names the construct the kernel verifier would refuse and the check that makes it acceptable.
public static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor DivisionByZeroSemantics = Create("EBPF2103",
        "Integer division by a value that may be zero",
        "'{0}' may divide by zero (no check of the divisor comes before it): eBPF gives x / 0 == 0 and x % 0 == x instead of throwing DivideByZeroException; test the divisor first if that matters",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor UncheckedPointer = Create("EBPF2106",
        "Result of a map lookup or ring-buffer reservation used without a null check",
        "'{0}' uses {1} that may be null, which the verifier refuses: {2}");

    public static readonly DiagnosticDescriptor PacketOutOfRange = Create("EBPF2107",
        "Packet access outside the checked range",
        "'{0}' reads {1}: add {2} before it, or use ctx.TryRead (the verifier learns packet bounds only from comparing a packet pointer with data_end, not from lengths)");

    public static readonly DiagnosticDescriptor UnreleasedRecord = Create("EBPF2108",
        "Ring-buffer reservation not released on this path",
        "This exit leaves the record reserved by '{0}' (line {1}) neither submitted nor discarded; the verifier refuses a program that can leak it: call Submit or Discard on every path after the null check");

    public static readonly DiagnosticDescriptor UnboundedLoop = Create("EBPF2109",
        "Loop bound the verifier cannot see",
        "The loop runs up to '{0}', a value with no upper bound the verifier can see, so it cannot prove the loop ends: clamp it first ('if (n > 64) n = 64;' or 'n & 63'), or use Bpf.Loop for long loops");

    public static readonly DiagnosticDescriptor UnboundedHelperSize = Create("EBPF2110",
        "Helper size argument without a bound",
        "'{0}' is the size argument of '{1}' but has no upper bound the verifier can see (unbounded memory access): clamp it to the buffer's size first ('if (n > sizeof(buf)) n = sizeof(buf);' or 'n & (size - 1)')");

    public static readonly DiagnosticDescriptor TracepointCommonField = Create("EBPF2111",
        "Read of a tracepoint record's common fields",
        "'{0}' is at offset {1}, inside the record's common fields (its first 8 bytes: common_type, common_flags, common_preempt_count, common_pid), which the verifier does not let tracepoint programs read: use Bpf.GetCurrentPidTgid() for the pid, and read only the event's own fields");
}
