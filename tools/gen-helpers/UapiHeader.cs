using System.Text.RegularExpressions;

namespace Ebpf.Tools.GenHelpers;

/// <summary>One helper as the UAPI header declares it.</summary>
public sealed record HeaderHelper(int Id, string Name, string ReturnType, IReadOnlyList<HeaderParameter> Parameters, string Prototype);

/// <summary>One C parameter ("const void *key": type "const void *", name "key").</summary>
public sealed record HeaderParameter(string Type, string Name);

/// <summary>Reads the helper list of include/uapi/linux/bpf.h: ids from <c>__BPF_FUNC_MAPPER</c> (a name per line,
/// the id its position, or <c>FN(name, id)</c> in newer headers) and prototypes from the helper documentation.</summary>
public static partial class UapiHeader
{
    [GeneratedRegex(@"^\s*FN\((\w+)(?:,\s*(\d+))?")]
    private static partial Regex MapperEntry();

    [GeneratedRegex(@"^ \* ([a-z_0-9][\w ]*?\**)\s*\b(bpf_\w+)\((.*)\)\s*$")]
    private static partial Regex PrototypeLine();

    public static IReadOnlyList<HeaderHelper> Parse(string text)
    {
        var lines = text.Split('\n');
        var prototypes = new Dictionary<string, (string Return, string Args, string Full)>();
        bool inDocs = false;
        foreach (var line in lines)
        {
            if (line.Contains("Start of BPF helper function descriptions")) inDocs = true;
            else if (line.Contains("End of BPF helper function descriptions")) inDocs = false;
            else if (inDocs && PrototypeLine().Match(line) is { Success: true } m && !prototypes.ContainsKey(m.Groups[2].Value))
                prototypes[m.Groups[2].Value] = (m.Groups[1].Value.Trim(), m.Groups[3].Value.Trim(), line.Substring(3).Trim());
        }

        var helpers = new List<HeaderHelper>();
        bool inMapper = false;
        int position = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith("#define __BPF_FUNC_MAPPER(")) { inMapper = true; continue; }
            if (!inMapper) continue;
            if (MapperEntry().Match(line) is not { Success: true } m) break;
            int id = m.Groups[2].Success ? int.Parse(m.Groups[2].Value) : position;
            position++;
            string name = m.Groups[1].Value;
            if (name == "unspec") continue;
            if (!prototypes.TryGetValue("bpf_" + name, out var proto))
                throw new InvalidDataException($"bpf.h: helper {name} (#{id}) has no documented prototype");
            helpers.Add(new HeaderHelper(id, name, proto.Return, ParseParameters(proto.Args), proto.Full));
        }
        if (helpers.Count == 0) throw new InvalidDataException("bpf.h: no __BPF_FUNC_MAPPER list");
        return helpers;
    }

    static IReadOnlyList<HeaderParameter> ParseParameters(string args)
    {
        if (args is "" or "void") return Array.Empty<HeaderParameter>();
        return args.Split(',').Select(a => a.Trim()).Select(a =>
        {
            if (a == "...") return new HeaderParameter("...", "args");
            int split = a.LastIndexOfAny(new[] { ' ', '*' });
            return new HeaderParameter(a[..(split + 1)].Trim(), a[(split + 1)..]);
        }).ToList();
    }
}
