using System.Text.RegularExpressions;

namespace Ebpf.Tools.GenHelpers;

/// <summary>One helper as the UAPI header declares it.</summary>
/// <param name="ReturnText">The helper's documented Return section.</param>
public sealed record HeaderHelper(int Id, string Name, string ReturnType, IReadOnlyList<HeaderParameter> Parameters, string Prototype, string ReturnText)
{
    /// <summary>A pointer result documented as NULL on failure or when nothing is found ("Map value associated to
    /// *key*, or **NULL** if no entry was found"): the verifier types it *_or_null and refuses a dereference before
    /// the program compares it with NULL.</summary>
    public bool ResultMayBeNull => ReturnType.EndsWith('*') && ReturnText.Contains("NULL", StringComparison.Ordinal);
}

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
        var returnTexts = new Dictionary<string, string>();
        bool inDocs = false;
        string? current = null;
        System.Text.StringBuilder? returnText = null;
        void EndReturnSection()
        {
            if (returnText is not null && current is not null) returnTexts[current] = returnText.ToString().Trim();
            returnText = null;
        }
        foreach (var line in lines)
        {
            if (line.Contains("Start of BPF helper function descriptions")) inDocs = true;
            else if (line.Contains("End of BPF helper function descriptions")) { EndReturnSection(); inDocs = false; }
            else if (inDocs && PrototypeLine().Match(line) is { Success: true } m)
            {
                EndReturnSection();
                current = prototypes.ContainsKey(m.Groups[2].Value) ? null : m.Groups[2].Value;
                if (current is not null) prototypes[current] = (m.Groups[1].Value.Trim(), m.Groups[3].Value.Trim(), line.Substring(3).Trim());
            }
            // The Return section is each helper's last: it runs to the next prototype. Sections are indented with " *\t",
            // " * \t" or spaces (all occur).
            else if (inDocs && current is not null && line.StartsWith(" *", StringComparison.Ordinal) && line[2..].Trim() == "Return") returnText = new System.Text.StringBuilder();
            else if (returnText is not null && inDocs && line.StartsWith(" *", StringComparison.Ordinal)) returnText.Append(line[2..].Trim()).Append(' ');
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
            helpers.Add(new HeaderHelper(id, name, proto.Return, ParseParameters(proto.Args), proto.Full,
                returnTexts.TryGetValue("bpf_" + name, out var returns) ? returns : ""));
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
