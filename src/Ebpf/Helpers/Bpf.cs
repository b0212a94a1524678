namespace Ebpf;

// CONTRACT (signatures): every kernel helper is a static method named by dropping bpf_ and
// PascalCasing, with [BpfHelper(id)] from enum bpf_func_id (ids: /usr/include/bpf/bpf_helper_defs.h).
// The helpers are split by topic: Bpf.Process.cs, Bpf.Time.cs, Bpf.Memory.cs, Bpf.Trace.cs, ...
//
// How a call lowers (R1..R5 in the kernel signature's order):
// - a pointer/integer parameter passes its value; an enum passes its underlying value;
// - a context parameter (XdpContext, SkBuffContext, PtRegs, TracingContext, ..., or a generic TContext
//   given the program's context) passes the program's context pointer (R1 at entry);
// - a map parameter (RingBuffer, PerfEventArray, ProgramArray, StackTraceMap, HashMap, ...) passes the
//   map's address (ld_imm64 with BPF_PSEUDO_MAP_FD);
// - Span<byte>/ReadOnlySpan<byte>/ReadOnlySpan<ulong> passes the span's address and then its length in
//   bytes, in the positions of the kernel's (pointer, size) pair;
// - in/ref/out T passes the variable's address (and sizeof(T) where the kernel signature has the size);
// - a [ConstantExpected] string passes the address of the zero-terminated literal in .rodata (and its
//   size including the zero where the kernel signature has one: trace_printk's fmt_size);
// - a delegate (Loop, ForEachMapElem) passes the callback subprogram (BPF_PSEUDO_FUNC) and a ref state
//   passes its address as the callback context (NULL when there is none);
// - generic value parameters of Printk<T1..T3> pass the value widened to 64 bits (sign-extended for
//   signed types).
// Each method's remarks give the C form of the call.

/// <summary>The kernel's BPF helper functions.</summary>
/// <remarks>In a compiled program each call is a <c>call</c> instruction to the helper with the id in
/// <see cref="BpfHelperAttribute"/>. In managed code each has an implementation over the simulated kernel
/// of <see cref="BpfEnvironment.Current"/>, so probe logic runs in unit tests.</remarks>
public static unsafe partial class Bpf
{
    static BpfEnvironment Env => BpfEnvironment.Current;
}
