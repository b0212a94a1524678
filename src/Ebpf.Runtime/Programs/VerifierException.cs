using System.Text;
using Ebpf.Asm;
using Ebpf.Verifier;

namespace Ebpf.Runtime;

/// <summary>The kernel refused to load a program (BPF_PROG_LOAD failed with a verifier log). The message starts with
/// the C# location of the instruction the verifier rejected and the class of the kernel's reason from the verifier
/// message catalog, <c>File.cs(12,5): error EBPF22xx: &lt;kernel reason&gt;: &lt;what it means and how to fix it&gt;</c>,
/// so IDEs and build logs link to it; <see cref="Log"/> has the whole kernel log.</summary>
public sealed class VerifierException : BpfException
{
    const int LogLinesInMessage = 40;

    internal VerifierException(string programName, int errno, string log, LinkedProgram program)
        : this(programName, errno, log, program, VerifierLog.Analyze(log))
    {
    }

    VerifierException(string programName, int errno, string log, LinkedProgram program, VerifierLog.Analysis analysis)
        : base($"load program '{programName}'", errno, Compose(programName, errno, log, program, analysis), true)
    {
        ProgramName = programName;
        Log = log;
        Reason = analysis.Reason;
        var messageClass = VerifierMessageCatalog.Classify(analysis.Reason);
        DiagnosticId = messageClass.Id;
        Meaning = messageClass.Meaning;
        InstructionSlot = analysis.InstructionSlot;
        Location = SourceOf(program, analysis);
        if (analysis.InstructionSlot is int slot)
        {
            FunctionName = program.FunctionAt(slot)?.Name;
            Instruction = program.InstructionAtSlot(slot);
        }
    }

    /// <summary>The C# line of the rejected instruction; for checks of the whole program that name no instruction
    /// (combined stack size, call depth, a bad map fd or opcode found before the walk), the program's own first line.</summary>
    static SourceLocation? SourceOf(LinkedProgram program, VerifierLog.Analysis analysis)
        => program.SourceAt(analysis.InstructionSlot ?? 0);

    public string ProgramName { get; }
    /// <summary>The complete verifier log.</summary>
    public string Log { get; }
    /// <summary>The verifier's reason (the line or lines after the last instruction it printed).</summary>
    public string Reason { get; }
    /// <summary>The class of <see cref="Reason"/> in the verifier message catalog: EBPF2201...EBPF2227, or EBPF2299 when unclassified.</summary>
    public string DiagnosticId { get; }
    /// <summary>What <see cref="Reason"/> means for the C# program and how to fix it (from the catalog).</summary>
    public string Meaning { get; }
    /// <summary>Slot index, in the loaded (linked) program, of the instruction the verifier stopped at.</summary>
    public int? InstructionSlot { get; }
    /// <summary>That instruction.</summary>
    public Instruction? Instruction { get; }
    /// <summary>The function (entry program or sub-program) containing that instruction.</summary>
    public string? FunctionName { get; }
    /// <summary>The C# source of that instruction (of the program's first line when the kernel names no instruction), from
    /// the program's line_info (null without line info).</summary>
    public SourceLocation? Location { get; }

    static string Compose(string programName, int errno, string log, LinkedProgram program, VerifierLog.Analysis analysis)
    {
        var sb = new StringBuilder();
        var source = SourceOf(program, analysis);
        sb.Append(VerifierMessageCatalog.Format(source?.ToString(), analysis.Reason)).Append('\n');
        sb.Append($"load program '{programName}': {Syscalls.Errno.Format(errno)}: the verifier rejected it");
        if (analysis.InstructionSlot is int slot)
        {
            var function = program.FunctionAt(slot);
            var insn = program.InstructionAtSlot(slot);
            sb.Append($" at instruction {slot}");
            if (insn is not null) sb.Append($" ({insn})");
            if (function is not null && function.Name != programName) sb.Append($" in function '{function.Name}'");
        }
        sb.Append('\n');
        if (source is not null && !string.IsNullOrWhiteSpace(source.LineText))
            sb.Append("    ").Append(source.LineText.Trim()).Append('\n');

        var lines = log.TrimEnd('\n', '\0', ' ').Split('\n');
        int skip = Math.Max(0, lines.Length - LogLinesInMessage);
        sb.Append(skip > 0
            ? $"--- verifier log (last {LogLinesInMessage} of {lines.Length} lines; VerifierException.Log has all) ---\n"
            : "--- verifier log ---\n");
        foreach (var line in lines.Skip(skip)) sb.Append(line).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }
}
