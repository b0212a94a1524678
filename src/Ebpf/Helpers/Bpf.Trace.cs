using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Ebpf.Helpers.Formatting;

namespace Ebpf;

// Debug output and formatting: trace_printk, trace_vprintk, snprintf.
public static unsafe partial class Bpf
{
    /// <summary>Writes <paramref name="format"/> to the kernel's trace pipe (/sys/kernel/tracing/trace_pipe);
    /// returns the number of bytes written or a negative errno.</summary>
    /// <remarks><c>bpf_trace_printk(fmt, sizeof(fmt))</c>, kernel 4.1; for debugging (it is slow and global).
    /// <paramref name="format"/> must be a string literal: the compiler places it in <c>.rodata</c>. Conversions
    /// are the kernel's printf subset (<c>%d %u %x %ld %lu %lx %lld %llu %c %s %p %pI4 ...</c>, width, no precision).
    /// Managed: the line goes to <see cref="BpfEnvironment.TraceLines"/> (without its trailing newline).</remarks>
    [BpfHelper(6)]
    public static long Printk([ConstantExpected] string format) => TracePrintk(format, []);

    /// <summary>Writes <paramref name="format"/> with one integer argument to the trace pipe.</summary>
    /// <remarks><c>bpf_trace_printk(fmt, sizeof(fmt), arg1)</c>. An argument is any integer, enum, bool or char,
    /// widened to 64 bits (signed types sign-extended); for a pointer pass <c>(ulong)ptr</c>.</remarks>
    [BpfHelper(6)]
    public static long Printk<T1>([ConstantExpected] string format, T1 arg1) where T1 : unmanaged =>
        TracePrintk(format, [PrintfArgument.Widen(arg1)]);

    /// <summary>Writes <paramref name="format"/> with two integer arguments to the trace pipe.</summary>
    /// <remarks><c>bpf_trace_printk(fmt, sizeof(fmt), arg1, arg2)</c>.</remarks>
    [BpfHelper(6)]
    public static long Printk<T1, T2>([ConstantExpected] string format, T1 arg1, T2 arg2) where T1 : unmanaged where T2 : unmanaged =>
        TracePrintk(format, [PrintfArgument.Widen(arg1), PrintfArgument.Widen(arg2)]);

    /// <summary>Writes <paramref name="format"/> with three integer arguments (the helper's maximum) to the trace pipe.</summary>
    /// <remarks><c>bpf_trace_printk(fmt, sizeof(fmt), arg1, arg2, arg3)</c>. For more, use <see cref="TraceVprintk(string, ReadOnlySpan{ulong})"/>.</remarks>
    [BpfHelper(6)]
    public static long Printk<T1, T2, T3>([ConstantExpected] string format, T1 arg1, T2 arg2, T3 arg3)
        where T1 : unmanaged where T2 : unmanaged where T3 : unmanaged =>
        TracePrintk(format, [PrintfArgument.Widen(arg1), PrintfArgument.Widen(arg2), PrintfArgument.Widen(arg3)]);

    /// <summary>Writes <paramref name="format"/> with any number of 64-bit arguments to the trace pipe.</summary>
    /// <remarks><c>bpf_trace_vprintk(fmt, sizeof(fmt), data, data.Length * 8)</c>, kernel 5.16; up to
    /// MAX_BPRINTF_VARARGS (12) arguments.</remarks>
    [BpfHelper(177)]
    public static long TraceVprintk([ConstantExpected] string format, ReadOnlySpan<ulong> data) =>
        data.Length > 12 ? -Errno.EINVAL : TracePrintk(format, data);

    /// <summary>Formats into <paramref name="str"/> (zero-terminated, truncated to fit); returns the length the
    /// whole result needs including the zero, or a negative errno.</summary>
    /// <remarks><c>bpf_snprintf(str, str.Length, fmt, data, data.Length * 8)</c>, kernel 5.13. The format must be a
    /// literal (the verifier checks it at load).</remarks>
    [BpfHelper(165)]
    public static long Snprintf(Span<byte> str, [ConstantExpected] string format, ReadOnlySpan<ulong> data)
    {
        if (data.Length > 12) return -Errno.EINVAL;
        var text = BprintfFormatter.Format(format, data);
        if (text is null) return -Errno.EINVAL;
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!str.IsEmpty)
        {
            int n = Math.Min(bytes.Length, str.Length - 1);
            bytes.AsSpan(0, n).CopyTo(str);
            str[n] = 0;
        }
        return bytes.Length + 1;
    }

    /// <summary>Formats into <paramref name="str"/> of <paramref name="strSize"/> bytes; returns the length needed including the zero.</summary>
    /// <remarks><c>bpf_snprintf(str, str_size, fmt, data, dataLen)</c>, kernel 5.13; <paramref name="dataLen"/> is in bytes.</remarks>
    [BpfHelper(165)]
    public static long Snprintf(byte* str, uint strSize, [ConstantExpected] string format, ulong* data, uint dataLen) =>
        dataLen % 8 != 0 ? -Errno.EINVAL
        : Snprintf(new Span<byte>(str, checked((int)strSize)), format, new ReadOnlySpan<ulong>(data, (int)(dataLen / 8)));

    static long TracePrintk(string format, ReadOnlySpan<ulong> args)
    {
        var text = BprintfFormatter.Format(format, args);
        if (text is null) return -Errno.EINVAL;
        Env.WriteTrace(text.EndsWith('\n') ? text[..^1] : text);
        return Encoding.UTF8.GetByteCount(text);
    }
}

/// <summary>How a C# value becomes a 64-bit printf argument: the low bytes, sign-extended for signed types.</summary>
internal static class PrintfArgument
{
    public static unsafe ulong Widen<T>(T value) where T : unmanaged
    {
        if (sizeof(T) > 8) throw new NotSupportedException($"A printf argument is at most 8 bytes; {typeof(T).Name} has {sizeof(T)}.");
        var type = typeof(T).IsEnum ? Enum.GetUnderlyingType(typeof(T)) : typeof(T);
        ulong raw = sizeof(T) switch
        {
            1 => Unsafe.As<T, byte>(ref value),
            2 => Unsafe.As<T, ushort>(ref value),
            4 => Unsafe.As<T, uint>(ref value),
            _ => Unsafe.As<T, ulong>(ref value),
        };
        if (type == typeof(sbyte)) return (ulong)(long)(sbyte)raw;
        if (type == typeof(short)) return (ulong)(long)(short)raw;
        if (type == typeof(int)) return (ulong)(long)(int)raw;
        if (type == typeof(nint) && sizeof(T) == 4) return (ulong)(long)(int)raw;
        return raw;
    }
}
