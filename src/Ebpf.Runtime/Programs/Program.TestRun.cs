using Ebpf.Object;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Input of a BPF_PROG_TEST_RUN.</summary>
public sealed class TestRunOptions
{
    /// <summary>Packet bytes (XDP, tc, socket filter, cgroup_skb...); empty for types without packet data.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }
    /// <summary>Size of the output packet buffer; default the input size plus 4 KiB (programs may grow the packet).</summary>
    public int? DataOutSize { get; init; }
    /// <summary>ctx_in: an initial context (<c>struct xdp_md</c>, <c>struct __sk_buff</c>, raw tracepoint args, a syscall program's argument).</summary>
    public ReadOnlyMemory<byte> Context { get; init; }
    /// <summary>Size of ctx_out; default the size of <see cref="Context"/> (0: no context out). Ignored for syscall and raw tracepoint programs,
    /// which take none; the kernel writes a syscall program's context back in place (returned as <see cref="TestRunResult.Context"/>).</summary>
    public int? ContextOutSize { get; init; }
    /// <summary>How many times the kernel runs the program (the duration is their average); at least 1. A single run is
    /// sent as repeat 0, which the kernel treats as 1 and which program types that cannot repeat (syscall) require.</summary>
    public int Repeat { get; init; } = 1;
    /// <summary>BPF_F_TEST_RUN_ON_CPU (1) with <see cref="Cpu"/>, BPF_F_TEST_XDP_LIVE_FRAMES (2).</summary>
    public uint Flags { get; init; }
    public uint Cpu { get; init; }
}

/// <summary>Output of a BPF_PROG_TEST_RUN: the program's return value (an XDP action, a tc verdict...), the packet and
/// context as the program left them, and the average run time.</summary>
public sealed record TestRunResult(uint ReturnValue, byte[] Data, byte[] Context, TimeSpan Duration)
{
    /// <summary>The kernel's average time per run in nanoseconds; <see cref="Duration"/> holds it in 100 ns ticks, too coarse
    /// for programs that run in tens of nanoseconds.</summary>
    public ulong AverageNanoseconds { get; init; }
}

public sealed unsafe partial class Program
{
    /// <summary>Runs the program in the kernel on <paramref name="data"/> (BPF_PROG_TEST_RUN), <paramref name="repeat"/> times.</summary>
    public TestRunResult TestRun(ReadOnlySpan<byte> data, int repeat = 1)
        => TestRun(new TestRunOptions { Data = data.ToArray(), Repeat = repeat });

    /// <summary>Runs the program in the kernel (BPF_PROG_TEST_RUN) with packet data and/or a context.</summary>
    public TestRunResult TestRun(TestRunOptions options)
    {
        if (options.Repeat < 1) throw new ArgumentOutOfRangeException(nameof(options), "Repeat must be at least 1");
        // Syscall and raw tracepoint programs take no data and no ctx_out (EINVAL); the kernel writes a syscall
        // program's context back into ctx_in.
        bool contextOnly = Type is ProgramType.Syscall or ProgramType.RawTracepoint or ProgramType.RawTracepointWritable;
        if (contextOnly && (!options.Data.IsEmpty || options.Repeat != 1))
            throw new ArgumentException($"program '{Name}' is a {Type} program: a test run takes only a context (no data, Repeat 1)", nameof(options));
        byte[]? contextCopy = Type == ProgramType.Syscall ? options.Context.ToArray() : null;
        var dataOut = new byte[options.Data.IsEmpty ? 0 : options.DataOutSize ?? options.Data.Length + 4096];
        var ctxOut = contextOnly ? [] : new byte[options.ContextOutSize ?? options.Context.Length];
        fixed (byte* dataIn = options.Data.Span)
        fixed (byte* dataOutPtr = dataOut)
        fixed (byte* ctxIn = contextCopy is null ? options.Context.Span : contextCopy)
        fixed (byte* ctxOutPtr = ctxOut)
        {
            using var fd = Handle.Lease();
            var attr = new TestRunAttr
            {
                ProgFd = (uint)fd.Fd,
                DataSizeIn = (uint)options.Data.Length,
                DataIn = options.Data.IsEmpty ? 0 : (ulong)dataIn,
                DataSizeOut = (uint)dataOut.Length,
                DataOut = dataOut.Length == 0 ? 0 : (ulong)dataOutPtr,
                CtxSizeIn = (uint)options.Context.Length,
                CtxIn = options.Context.IsEmpty ? 0 : (ulong)ctxIn,
                CtxSizeOut = (uint)ctxOut.Length,
                CtxOut = ctxOut.Length == 0 ? 0 : (ulong)ctxOutPtr,
                Repeat = options.Repeat == 1 ? 0u : (uint)options.Repeat,
                Flags = options.Flags,
                Cpu = options.Cpu,
            };
            int rc = BpfSyscall.Invoke(BpfCommand.ProgTestRun, ref attr, out int errno);
            if (rc < 0)
            {
                string? hint = errno switch
                {
                    Errno.ENOTSUPP or Errno.EOPNOTSUPP => $"the kernel cannot test-run {Type} programs",
                    Errno.ENOSPC => $"the program's output ({attr.DataSizeOut} bytes) does not fit the {dataOut.Length}-byte output buffer: raise DataOutSize",
                    Errno.EINVAL => $"the input does not suit a {Type} program (packet programs need at least an Ethernet header of data; some types take no data or need a context)",
                    _ => null,
                };
                throw new BpfException($"test-run program '{Name}'", errno, hint);
            }
            return new TestRunResult(attr.Retval, dataOut.AsSpan(0, (int)Math.Min(attr.DataSizeOut, (uint)dataOut.Length)).ToArray(),
                contextCopy ?? ctxOut.AsSpan(0, (int)Math.Min(attr.CtxSizeOut, (uint)ctxOut.Length)).ToArray(), TimeSpan.FromTicks(attr.Duration / 100)) { AverageNanoseconds = attr.Duration };
        }
    }
}
