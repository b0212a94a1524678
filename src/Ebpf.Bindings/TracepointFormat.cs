using System.Globalization;
using System.Text.RegularExpressions;

namespace Ebpf.Bindings;

/// <summary>One field of a tracepoint record as tracefs describes it (<c>field:int pid; offset:12; size:4; signed:1;</c>).</summary>
/// <param name="Declaration">The C declaration without the name (<c>const char *</c>, <c>char[16]</c>, <c>__data_loc char[]</c>).</param>
/// <param name="ArrayLength">The element count of an array field (<c>char comm[16]</c>), or 0.</param>
public sealed record TracepointField(string Name, string Declaration, int Offset, int Size, bool IsSigned, int ArrayLength)
{
    /// <summary>A <c>__data_loc</c> field: a u32 holding the offset (low 16 bits) and length (high 16 bits) of variable data in the record.</summary>
    public bool IsDataLocation => Declaration.StartsWith("__data_loc", StringComparison.Ordinal);
    /// <summary>A pointer (a user or kernel address the program reads with a helper).</summary>
    public bool IsPointer => Declaration.Contains('*');
}

/// <summary>A tracepoint's record layout, parsed from <c>/sys/kernel/tracing/events/CAT/NAME/format</c>.</summary>
public sealed partial record TracepointFormat(string Category, string Name, int Id, IReadOnlyList<TracepointField> Fields)
{
    /// <summary>Bytes of the fixed part of the record (the end of its last field).</summary>
    public int Size => Fields.Count == 0 ? 0 : Fields.Max(f => f.Offset + f.Size);

    [GeneratedRegex(@"^\s*field:(?<decl>.+?);\s*offset:(?<off>\d+);\s*size:(?<size>\d+);\s*signed:(?<signed>\d+);", RegexOptions.CultureInvariant)]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^(?<type>.*?)(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(\[(?<count>[^\]]*)\])?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Declarator();

    /// <summary>Parses the text of a format file; throws <see cref="FormatException"/> naming the line that is not a field.</summary>
    public static TracepointFormat Parse(string category, string name, string text)
    {
        int id = 0;
        var fields = new List<TracepointField>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("ID:", StringComparison.Ordinal)) int.TryParse(line[3..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out id);
            if (!line.TrimStart().StartsWith("field:", StringComparison.Ordinal)) continue;
            var m = FieldLine().Match(line);
            if (!m.Success) throw new FormatException($"tracepoint {category}/{name}: cannot read the field line '{line.Trim()}'");
            var decl = m.Groups["decl"].Value.Trim();
            var d = Declarator().Match(decl);
            if (!d.Success) throw new FormatException($"tracepoint {category}/{name}: cannot read the declaration '{decl}'");
            var type = d.Groups["type"].Value.Trim();
            int count = 0;
            if (d.Groups["count"].Success)
            {
                type += "[]";
                int.TryParse(d.Groups["count"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out count);
            }
            fields.Add(new TracepointField(d.Groups["name"].Value, type,
                int.Parse(m.Groups["off"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture),
                m.Groups["signed"].Value != "0", count));
        }
        return new TracepointFormat(category, name, id, fields);
    }

    /// <summary>The format of <c>CAT/NAME</c> under <paramref name="tracefs"/>; throws <see cref="IOException"/> when unreadable.</summary>
    public static TracepointFormat Load(string category, string name, string tracefs = "/sys/kernel/tracing")
        => Parse(category, name, File.ReadAllText(Path.Combine(tracefs, "events", category, name, "format")));
}
