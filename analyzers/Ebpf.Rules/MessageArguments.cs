using System.Text.RegularExpressions;

namespace Ebpf.Rules;

/// <summary>Message arguments that quote source text: a diagnostic is one line (<c>file(line,col): error EBPFnnnn: ...</c>,
/// what build logs and IDEs parse), but a quoted expression may span lines, most of all in broken code being typed.</summary>
internal static class MessageArguments
{
    static readonly Regex LineBreak = new(@"\s*[\r\n]+\s*", RegexOptions.Compiled);

    public static object?[] OneLine(object?[] args)
    {
        for (int i = 0; i < args.Length; i++)
            if (args[i] is string s && s.IndexOfAny(['\r', '\n']) >= 0)
            {
                var copy = (object?[])args.Clone();
                for (int j = i; j < copy.Length; j++)
                    if (copy[j] is string t) copy[j] = LineBreak.Replace(t, " ");
                return copy;
            }
        return args;
    }
}
