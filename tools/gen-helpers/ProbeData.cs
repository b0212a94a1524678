using Ebpf.Abi;

namespace Ebpf.Tools.GenHelpers;

/// <summary>One kernel's answers from probe/helper-probe.c: per program type id the helper ids it may call
/// (null: the program type could not be loaded without an attach target), and the GPL-only helper ids.</summary>
public sealed record KernelProbe(KernelVersion Kernel, string Release, IReadOnlyDictionary<int, IReadOnlySet<int>?> ProgramTypes, IReadOnlySet<int> GplOnly)
{
    public static KernelProbe Parse(string text)
    {
        string release = "";
        var types = new SortedDictionary<int, IReadOnlySet<int>?>();
        var gpl = new HashSet<int>();
        foreach (var raw in text.Split('\n'))
        {
            var words = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            switch (words[0])
            {
                case "kernel": release = words[1]; break;
                case "prog" when words.Length > 2 && words[2] == "unloadable:": types[int.Parse(words[1])] = null; break;
                case "prog": types[int.Parse(words[1])] = words.Skip(2).Select(int.Parse).ToHashSet(); break;
                case "gpl_only": gpl.UnionWith(words.Skip(1).Select(int.Parse)); break;
                default: throw new InvalidDataException($"probe output: unexpected line '{raw}'");
            }
        }
        return new KernelProbe(KernelVersion.Parse(release), release, types, gpl);
    }
}
