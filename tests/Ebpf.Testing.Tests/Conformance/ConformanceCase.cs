using System.Globalization;

namespace Ebpf.Testing.Tests.Conformance;

/// <summary>One file of the bpf_conformance suite (format: /work/shared/conformance/README.md): the program in the
/// suite's assembly syntax, the memory buffer passed in R1/R2, and the expected R0.</summary>
public sealed record ConformanceCase(string File, IReadOnlyList<string> Asm, byte[] Memory, ulong? Result, bool ExpectsError)
{
    public static ConformanceCase Parse(string path)
    {
        var sections = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var raw in System.IO.File.ReadLines(path))
        {
            var trimmed = raw.Trim();
            if (trimmed.StartsWith("-- ", StringComparison.Ordinal))
            {
                current = sections[trimmed[3..].Trim()] = new List<string>();
                continue;
            }
            if (trimmed.StartsWith('#')) continue;
            current?.Add(raw);
        }
        var asm = sections.GetValueOrDefault("asm") ?? new List<string>();
        var memory = (sections.GetValueOrDefault("mem") ?? new List<string>())
            .SelectMany(l => l.Split('#')[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        ulong? result = null;
        var resultLine = sections.GetValueOrDefault("result")?.Select(l => l.Split('#')[0].Trim()).FirstOrDefault(l => l.Length > 0);
        if (resultLine is not null)
            result = resultLine.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.Parse(resultLine[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : unchecked((ulong)long.Parse(resultLine, CultureInfo.InvariantCulture));
        return new ConformanceCase(Path.GetFileName(path), asm, memory, result, sections.ContainsKey("error"));
    }

    public static IReadOnlyList<ConformanceCase> All(string directory)
        => Directory.GetFiles(directory, "*.data").OrderBy(p => p, StringComparer.Ordinal).Select(Parse).ToList();

    public override string ToString() => File;
}
