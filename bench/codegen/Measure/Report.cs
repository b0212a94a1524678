using System.Globalization;
using System.Text;

namespace Measure;

/// <summary>Renders the measured rows as markdown: one row per program, one per object for build times, ratios
/// C#/clang and their geometric means, and whether the targets of the bench hold.</summary>
static class Report
{
    const double GeomeanTarget = 1.00, WorstTarget = 1.10, ProcessedTarget = 1.00;

    public static string Render(IReadOnlyList<ProgramRow> rows, IReadOnlyDictionary<string, double[]> builds)
    {
        var text = new StringBuilder();
        text.AppendLine("| bench | program | type | insns clang | insns C# | C#/clang | processed clang | processed C# | C#/clang | ns/run clang | ns/run C# | C#/clang |");
        text.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            string timing = r.Timing is { } t
                ? $"{t.ClangNs.ToString("0.0", CultureInfo.InvariantCulture)} | {t.OursNs.ToString("0.0", CultureInfo.InvariantCulture)} | {Ratio(t.OursNs, t.ClangNs)}" +
                  (t.ClangResult == t.OursResult ? "" : $" (returns differ: clang {t.ClangResult}, C# {t.OursResult})")
                : "— | — | —";
            text.AppendLine($"| {r.Bench} | {r.Program} | {r.Type} | {r.Clang.Instructions} | {r.Ours.Instructions} | {Ratio(r.Ours.Instructions, r.Clang.Instructions)} | " +
                            $"{r.Clang.Processed} | {r.Ours.Processed} | {Ratio(r.Ours.Processed, r.Clang.Processed)} | {timing} |");
        }
        var insns = rows.Select(r => (double)r.Ours.Instructions / r.Clang.Instructions).ToList();
        var processed = rows.Select(r => (double)r.Ours.Processed / r.Clang.Processed).ToList();
        var timed = rows.Where(r => r.Timing is not null).Select(r => r.Timing!.OursNs / r.Timing.ClangNs).ToList();
        text.AppendLine($"| **geometric mean** | | | | | **{Format(Geomean(insns))}** | | | **{Format(Geomean(processed))}** | | | **{(timed.Count > 0 ? Format(Geomean(timed)) : "—")}** |");
        text.AppendLine();

        text.AppendLine("Build wall time per object (milliseconds, median of the runs; C# cold: a fresh `ebpf build` process each time,");
        text.AppendLine("C# warm: `ebpf build --server` against a build server already running). This is the framework-dependent CLI started by");
        text.AppendLine("`dotnet` (its JIT and host startup included); the packed Native AOT tool users install is measured beside clang in");
        text.AppendLine("bench/build/results.md.");
        text.AppendLine();
        text.AppendLine("| bench | clang | C# cold | C#/clang | C# warm | C#/clang |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, ms) in builds.OrderBy(b => b.Key, StringComparer.Ordinal))
            text.AppendLine($"| {name} | {Ms(ms[0])} | {Ms(ms[1])} | {Ratio(ms[1], ms[0])} | {Ms(ms[2])} | {Ratio(ms[2], ms[0])} |");
        text.AppendLine($"| **geometric mean** | | | **{Format(Geomean(builds.Values.Select(m => m[1] / m[0])))}** | | **{Format(Geomean(builds.Values.Select(m => m[2] / m[0])))}** |");
        text.AppendLine();

        var worst = rows.OrderByDescending(r => (double)r.Ours.Instructions / r.Clang.Instructions).First();
        double worstRatio = (double)worst.Ours.Instructions / worst.Clang.Instructions;
        text.AppendLine("Targets (issue 9):");
        text.AppendLine();
        text.AppendLine($"- geometric mean of instructions C#/clang at most {Format(GeomeanTarget)}: {Precise(Geomean(insns))}, {Verdict(Geomean(insns) <= GeomeanTarget)}");
        text.AppendLine($"- no program above {Format(WorstTarget)}: worst {worst.Bench}/{worst.Program} at {Format(worstRatio)}, {Verdict(worstRatio <= WorstTarget)}" +
                        $" ({insns.Count(x => x > WorstTarget)} of {rows.Count} above)");
        text.AppendLine($"- verifier-processed instructions at most {Format(ProcessedTarget)} of clang's (geometric mean): {Precise(Geomean(processed))}, {Verdict(Geomean(processed) <= ProcessedTarget)}" +
                        $" ({processed.Count(x => x > ProcessedTarget)} of {rows.Count} programs above 1.00)");
        return text.ToString();
    }

    static string Verdict(bool met) => met ? "met" : "**not met**";

    static double Geomean(IEnumerable<double> ratios)
    {
        var list = ratios.ToList();
        return Math.Exp(list.Sum(Math.Log) / list.Count);
    }

    static string Ratio(double ours, double clang) => Format(ours / clang);

    static string Format(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    static string Precise(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
