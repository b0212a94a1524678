using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Ebpf;

// Strings: compare, parse.
public static unsafe partial class Bpf
{
    /// <summary>Compares the string in <paramref name="s1"/> (at most its length) with the literal <paramref name="s2"/>,
    /// like <c>strncmp</c>: negative, 0 or positive.</summary>
    /// <remarks><c>bpf_strncmp(s1, s1.Length, s2)</c>, kernel 5.17. <paramref name="s2"/> must be a string literal
    /// (the compiler places it, zero-terminated, in <c>.rodata</c>).</remarks>
    [BpfHelper(182)]
    public static long Strncmp(ReadOnlySpan<byte> s1, [ConstantExpected] string s2)
    {
        var right = Encoding.UTF8.GetBytes(s2 + "\0");
        for (int i = 0; i < s1.Length; i++)
        {
            byte r = i < right.Length ? right[i] : (byte)0;
            if (s1[i] != r) return s1[i] < r ? -1 : 1;
            if (r == 0) return 0;
        }
        return 0;
    }

    /// <summary>Compares <paramref name="s1Size"/> bytes at <paramref name="s1"/> with the literal <paramref name="s2"/>.</summary>
    /// <remarks><c>bpf_strncmp(s1, s1_sz, s2)</c>, kernel 5.17.</remarks>
    [BpfHelper(182)]
    public static long Strncmp(byte* s1, uint s1Size, [ConstantExpected] string s2) =>
        Strncmp(new ReadOnlySpan<byte>(s1, checked((int)s1Size)), s2);

    /// <summary>Parses a signed integer at the start of <paramref name="buf"/> (base in the low 5 bits of
    /// <paramref name="flags"/>: 0 = auto, 8, 10, 16); returns the characters consumed or a negative errno.</summary>
    /// <remarks><c>bpf_strtol(buf, buf.Length, flags, &amp;res)</c>, kernel 5.2 (cgroup sysctl programs and tracing).
    /// Leading spaces and a sign are accepted; -EINVAL when no digits, -ERANGE on overflow.</remarks>
    [BpfHelper(105)]
    public static long Strtol(ReadOnlySpan<byte> buf, ulong flags, out long res)
    {
        res = 0;
        long consumed = ParseInteger(buf, flags, allowSign: true, out ulong magnitude, out bool negative);
        if (consumed < 0) return consumed;
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue) return -Errno.ERANGE;
        res = negative ? (long)(0 - magnitude) : (long)magnitude;
        return consumed;
    }

    /// <summary>Parses an unsigned integer at the start of <paramref name="buf"/>; returns the characters consumed or a negative errno.</summary>
    /// <remarks><c>bpf_strtoul(buf, buf.Length, flags, &amp;res)</c>, kernel 5.2. A minus sign is -EINVAL.</remarks>
    [BpfHelper(106)]
    public static long Strtoul(ReadOnlySpan<byte> buf, ulong flags, out ulong res)
    {
        res = 0;
        long consumed = ParseInteger(buf, flags, allowSign: false, out ulong magnitude, out _);
        if (consumed < 0) return consumed;
        res = magnitude;
        return consumed;
    }

    /// <summary>Parses a signed integer from <paramref name="bufLen"/> bytes at <paramref name="buf"/>.</summary>
    /// <remarks><c>bpf_strtol(buf, buf_len, flags, res)</c>.</remarks>
    [BpfHelper(105)]
    public static long Strtol(byte* buf, ulong bufLen, ulong flags, long* res) =>
        Strtol(new ReadOnlySpan<byte>(buf, checked((int)bufLen)), flags, out *res);

    /// <summary>Parses an unsigned integer from <paramref name="bufLen"/> bytes at <paramref name="buf"/>.</summary>
    /// <remarks><c>bpf_strtoul(buf, buf_len, flags, res)</c>.</remarks>
    [BpfHelper(106)]
    public static long Strtoul(byte* buf, ulong bufLen, ulong flags, ulong* res) =>
        Strtoul(new ReadOnlySpan<byte>(buf, checked((int)bufLen)), flags, out *res);

    /// <summary>The kernel's __bpf_strtoull: spaces, optional sign, base prefix, digits (up to the buffer or a zero byte).</summary>
    static long ParseInteger(ReadOnlySpan<byte> buf, ulong flags, bool allowSign, out ulong value, out bool negative)
    {
        value = 0;
        negative = false;
        if ((flags & ~0x1FUL) != 0) return -Errno.EINVAL;
        uint numberBase = (uint)(flags & 0x1F);
        if (numberBase is not (0 or 8 or 10 or 16)) return -Errno.EINVAL;
        int i = 0;
        while (i < buf.Length && buf[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v') i++;
        if (i < buf.Length && buf[i] == '-')
        {
            if (!allowSign) return -Errno.EINVAL;
            negative = true;
            i++;
        }
        if (numberBase is 0 or 16 && i + 1 < buf.Length && buf[i] == '0' && (buf[i + 1] | 0x20) == 'x'
            && i + 2 < buf.Length && Uri.IsHexDigit((char)buf[i + 2]))
        {
            numberBase = 16;
            i += 2;
        }
        else if (numberBase == 0)
        {
            numberBase = i < buf.Length && buf[i] == '0' ? 8u : 10u;
        }
        int digitsStart = i;
        for (; i < buf.Length && buf[i] != 0; i++)
        {
            uint digit = buf[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => (uint)(buf[i] - '0'),
                >= (byte)'a' and <= (byte)'f' => (uint)(buf[i] - 'a' + 10),
                >= (byte)'A' and <= (byte)'F' => (uint)(buf[i] - 'A' + 10),
                _ => uint.MaxValue,
            };
            if (digit >= numberBase) break;
            if (value > (ulong.MaxValue - digit) / numberBase) return -Errno.ERANGE;
            value = value * numberBase + digit;
        }
        if (i == digitsStart) return -Errno.EINVAL;
        return i;
    }
}
