using System.Globalization;
using System.Text;

namespace Ebpf.Testing.Helpers;

/// <summary>The subset of printf that <c>bpf_trace_printk</c> accepts: <c>%d %i %u %x %X %c %s %p %%</c> with the
/// <c>l</c>/<c>ll</c>/<c>h</c> length modifiers, up to three arguments.</summary>
public static class PrintkFormat
{
    public static string Format(string format, IReadOnlyList<ulong> args, Func<ulong, string> readString)
    {
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char ch = format[i];
            if (ch != '%' || i + 1 >= format.Length) { sb.Append(ch); continue; }
            int j = i + 1;
            if (format[j] == '%') { sb.Append('%'); i = j; continue; }
            while (j < format.Length && (char.IsDigit(format[j]) || format[j] == '-')) j++;
            int longs = 0;
            bool isShort = false;
            while (j < format.Length && format[j] is 'l' or 'h' or 'z')
            {
                if (format[j] == 'h') isShort = true; else longs++;
                j++;
            }
            if (j >= format.Length) { sb.Append(format, i, format.Length - i); break; }
            ulong arg = next < args.Count ? args[next] : 0;
            next++;
            ulong value = longs > 0 ? arg : isShort ? arg & 0xffff : arg & 0xffffffff;
            sb.Append(format[j] switch
            {
                'd' or 'i' => (longs > 0 ? (long)value : isShort ? (short)value : (int)(uint)value).ToString(CultureInfo.InvariantCulture),
                'u' => value.ToString(CultureInfo.InvariantCulture),
                'x' => value.ToString("x", CultureInfo.InvariantCulture),
                'X' => value.ToString("X", CultureInfo.InvariantCulture),
                'c' => ((char)(byte)arg).ToString(),
                's' => readString(arg),
                'p' => "0x" + arg.ToString("x", CultureInfo.InvariantCulture),
                _ => format.Substring(i, j - i + 1),
            });
            i = j;
        }
        return sb.ToString();
    }
}
