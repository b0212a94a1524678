using System.Globalization;
using System.Net;
using System.Text;

namespace Ebpf.Helpers.Formatting;

/// <summary>The kernel's printf for BPF (bpf_bprintf_prepare + bstr_printf): the conversions
/// <c>bpf_trace_printk</c>, <c>bpf_trace_vprintk</c> and <c>bpf_snprintf</c> accept, with their rules.</summary>
/// <remarks>
/// Accepted: <c>%%</c>; flags <c>0 + - space</c> and a width (no precision); <c>%d %i %u %x %X</c> with
/// optional <c>l</c>/<c>ll</c> (without: 32-bit); <c>%c</c>; <c>%s</c> (a string read from the address);
/// <c>%p</c> (hashed), <c>%px</c>/<c>%pK</c> (the address), <c>%pB</c>/<c>%pS</c>/<c>%ps</c> (symbol; managed: the
/// address), <c>%pi4 %pI4 %pi6 %pI6</c> (an address read from the pointer). Anything else, a non-printable
/// character, or more conversions than arguments makes the helper fail with -EINVAL, as in the kernel.
/// </remarks>
internal static unsafe class BprintfFormatter
{
    const int MaxStringArgument = 512;

    /// <summary>Formats <paramref name="format"/> with <paramref name="args"/> (each widened to 64 bits);
    /// null when the kernel would refuse the format.</summary>
    public static string? Format(string format, ReadOnlySpan<ulong> args)
    {
        var output = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c > 0x7F || (char.IsControl(c) && !char.IsWhiteSpace(c))) return null;
            if (c != '%') { output.Append(c); continue; }
            if (i + 1 < format.Length && format[i + 1] == '%') { output.Append('%'); i++; continue; }
            if (next >= args.Length) return null;
            i++;
            // [0 +-space] flags and a width
            int flagsStart = i;
            while (i < format.Length && format[i] is '0' or '+' or '-' or ' ') i++;
            string flags = format[flagsStart..i];
            int widthStart = i;
            if (i < format.Length && format[i] is >= '1' and <= '9')
                while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
            int width = i > widthStart ? int.Parse(format[widthStart..i], CultureInfo.InvariantCulture) : 0;
            if (i >= format.Length) return null;
            ulong arg = args[next++];

            string? text;
            switch (format[i])
            {
                case 'p':
                    text = Pointer(format, ref i, arg);
                    if (text is null) return null;
                    break;
                case 's':
                    text = ReadString(arg);
                    break;
                case 'c':
                    text = ((char)(byte)arg).ToString();
                    break;
                default:
                    int size = 4;
                    if (format[i] == 'l') { size = 8; i++; }
                    if (i < format.Length && format[i] == 'l') i++;
                    if (i >= format.Length) return null;
                    text = Integer(format[i], size, arg, flags.Contains('+'), flags.Contains(' '));
                    if (text is null) return null;
                    break;
            }
            output.Append(Pad(text, width, flags));
        }
        return output.ToString();
    }

    static string? Integer(char conversion, int size, ulong arg, bool plus, bool space)
    {
        ulong value = size == 4 ? (uint)arg : arg;
        switch (conversion)
        {
            case 'd' or 'i':
                long signed = size == 4 ? (int)(uint)arg : (long)arg;
                string digits = signed.ToString(CultureInfo.InvariantCulture);
                return signed >= 0 && plus ? "+" + digits : signed >= 0 && space ? " " + digits : digits;
            case 'u': return value.ToString(CultureInfo.InvariantCulture);
            case 'x': return value.ToString("x", CultureInfo.InvariantCulture);
            case 'X': return value.ToString("X", CultureInfo.InvariantCulture);
            default: return null;
        }
    }

    static string? Pointer(string format, ref int i, ulong arg)
    {
        char modifier = i + 1 < format.Length ? format[i + 1] : '\0';
        switch (modifier)
        {
            case 'x' or 'K' or 'B' or 'S' or 's':
                i++;
                return "0x" + arg.ToString("x16", CultureInfo.InvariantCulture);
            case 'i' or 'I':
                if (i + 2 >= format.Length || format[i + 2] is not ('4' or '6')) return null;
                bool v4 = format[i + 2] == '4';
                i += 2;
                if (arg < 4096) return "(null)";
                var bytes = new ReadOnlySpan<byte>((void*)arg, v4 ? 4 : 16);
                if (modifier == 'i' && v4) return string.Join('.', bytes.ToArray().Select(b => b.ToString("d3", CultureInfo.InvariantCulture)));
                if (modifier == 'i') return Convert.ToHexString(bytes).ToLowerInvariant();
                return new IPAddress(bytes).ToString();
            default:
                // Plain %p prints a hashed pointer so addresses do not leak.
                return "0x" + ((uint)HashCode.Combine(arg, 0x5eed)).ToString("x8", CultureInfo.InvariantCulture);
        }
    }

    static string ReadString(ulong address)
    {
        if (address < 4096) return "";   // a faulting read prints an empty string
        var p = (byte*)address;
        int n = 0;
        while (n < MaxStringArgument && p[n] != 0) n++;
        return Encoding.UTF8.GetString(p, n);
    }

    static string Pad(string text, int width, string flags)
    {
        if (text.Length >= width) return text;
        if (flags.Contains('-')) return text.PadRight(width);
        if (flags.Contains('0'))
        {
            int sign = text.Length > 0 && text[0] is '-' or '+' or ' ' ? 1 : 0;
            return text[..sign] + new string('0', width - text.Length) + text[sign..];
        }
        return text.PadLeft(width);
    }
}
