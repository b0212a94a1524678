using System.Text.RegularExpressions;

namespace Ebpf.Runtime;

/// <summary>Reads a verifier log: the reason it gave up and the instruction it was looking at.</summary>
/// <remarks>With log level 1 the verifier prints each instruction it simulates as <c>12: (61) r1 = *(u32 *)(r2 +0)</c>
/// (the number is the slot index), states as <c>12: R1=ctx() ...</c> or <c>from 4 to 6: ...</c>, source lines from
/// line_info as <c>; text @ file:line</c>, and ends with statistics (<c>processed N insns ...</c>). The reason is what
/// comes after the last instruction line and before the statistics. Structural errors found before simulation
/// (<c>unreachable insn 2</c>, <c>jump out of range from insn 1 to 7</c>) name the instruction in the reason.</remarks>
public static partial class VerifierLog
{
    [GeneratedRegex(@"^(\d+): \([0-9a-f]{2}\)")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"^(\d+): R\d|^(\d+): frame\d|^from \d+ to \d+:")]
    private static partial Regex StateLine();

    [GeneratedRegex(@"\binsn #?(\d+)\b|\binsn_idx (\d+)\b|\bat insn (\d+)\b")]
    private static partial Regex InstructionInReason();

    // What the verifier prints after its verdict, success or not.
    static readonly string[] StatisticsPrefixes = ["processed ", "verification time ", "stack depth "];

    /// <summary>The outcome of reading a log: the reason lines and the slot the verifier was at, if any.</summary>
    public sealed record Analysis(string Reason, int? InstructionSlot);

    public static Analysis Analyze(string log)
    {
        var lines = log.Replace("\r", "").Split('\n');
        int end = lines.Length;
        while (end > 0 && (string.IsNullOrWhiteSpace(lines[end - 1]) || IsStatistics(lines[end - 1]))) end--;

        int lastInstruction = -1;
        int? slot = null;
        for (int i = 0; i < end; i++)
        {
            var m = InstructionLine().Match(lines[i]);
            if (m.Success) { lastInstruction = i; slot = int.Parse(m.Groups[1].Value); }
        }

        var reasonLines = new List<string>();
        for (int i = lastInstruction + 1; i < end; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith(';') || StateLine().IsMatch(line)) continue;
            reasonLines.Add(line);
        }
        if (reasonLines.Count == 0 && end > 0) reasonLines.Add(lines[end - 1].Trim());
        string reason = string.Join("; ", reasonLines);

        // Errors found before simulation carry the index in their text (and often no instruction line at all).
        if (reasonLines.Count > 0)
        {
            var m = InstructionInReason().Match(reasonLines[^1]);
            if (m.Success && (slot is null || lastInstruction < 0))
                slot = int.Parse(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value);
        }
        return new Analysis(reason.Length == 0 ? "(the verifier log is empty)" : reason, slot);
    }

    static bool IsStatistics(string line)
    {
        var trimmed = line.TrimStart();
        foreach (var prefix in StatisticsPrefixes)
            if (trimmed.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }
}
